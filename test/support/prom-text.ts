/**
 * A small reader of the Prometheus text exposition format (version 0.0.4), enough for tests:
 * samples with their labels, and the HELP and TYPE of each metric family.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: readonly Sample[];
  readonly help: ReadonlyMap<string, string>;
  readonly type: ReadonlyMap<string, string>;
  /** The one sample of `name` whose labels include `labels`; throws when there is none or several. */
  value(name: string, labels?: Readonly<Record<string, string>>): number;
  /** Whether `name` has a sample at all. */
  has(name: string): boolean;
  /** `name`'s samples by the value of `label`. */
  byLabel(name: string, label: string): Record<string, number>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

function number(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  // Prometheus reads NaN case-insensitively (Go's ParseFloat), and prom-client writes `Nan`.
  if (text.toLowerCase() === 'nan') return NaN;
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(`not a sample value: ${text}`);
  return n;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      (meta[1] === 'HELP' ? help : type).set(meta[2]!, meta[3]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const rawLabels = m[2] ?? '';
    LABEL.lastIndex = 0;
    let read = 0;
    for (let l = LABEL.exec(rawLabels); l !== null; l = LABEL.exec(rawLabels)) {
      labels[l[1]!] = unescape(l[2]!);
      read = LABEL.lastIndex;
    }
    if (read !== rawLabels.length) throw new Error(`bad labels in: ${line}`);
    samples.push({ name: m[1]!, labels, value: number(m[3]!) });
  }
  const matching = (name: string, labels: Readonly<Record<string, string>> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    help,
    type,
    value(name, labels) {
      const found = matching(name, labels);
      if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels ?? {})}`);
      return found[0]!.value;
    },
    has: (name) => samples.some((s) => s.name === name),
    byLabel: (name, label) => Object.fromEntries(matching(name).map((s) => [s.labels[label] ?? '', s.value])),
  };
}
