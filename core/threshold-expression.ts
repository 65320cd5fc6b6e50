/**
 * The grammar of a scenario's `thresholds:` entries: `<metric> <op> <value>[unit]`, such as
 * `latency.publishToAccept.p99 < 100ms` or `memory.wholeRun < 2GiB`. Pure: the scenario schema
 * checks the syntax with it, and sim/ evaluates it against the metrics reports/ defines.
 *
 * Values are kept in each kind's base unit: milliseconds, bytes, a ratio 0–1, or a plain number
 * (counts, gas, rates), so a threshold and a measured metric compare without conversions.
 */

export const THRESHOLD_OPS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

/** What a metric measures, which decides the units a threshold on it may use. */
export type MetricKind = 'duration' | 'bytes' | 'ratio' | 'count' | 'gas' | 'rate';

/** The units a value may carry, with their kind and size in the kind's base unit. */
const UNITS: Record<string, { kind: 'duration' | 'bytes' | 'ratio'; factor: number }> = {
  ms: { kind: 'duration', factor: 1 },
  s: { kind: 'duration', factor: 1000 },
  min: { kind: 'duration', factor: 60_000 },
  B: { kind: 'bytes', factor: 1 },
  KiB: { kind: 'bytes', factor: 1024 },
  MiB: { kind: 'bytes', factor: 1024 ** 2 },
  GiB: { kind: 'bytes', factor: 1024 ** 3 },
  '%': { kind: 'ratio', factor: 0.01 },
};
export const THRESHOLD_UNITS = Object.keys(UNITS);

export interface ThresholdExpression {
  /** The whole expression as written (trimmed). */
  source: string;
  metric: string;
  op: ThresholdOp;
  /** The bound in its kind's base unit (ms, bytes, ratio 0–1, or a plain number). */
  bound: number;
  /** The unit as written, or null for a bare number. */
  unit: string | null;
  /** The bound as written: `100ms`. */
  boundText: string;
}

/** Why an expression is not one; `parseThresholdExpression` returns it instead of throwing. */
export interface ThresholdSyntaxError {
  error: string;
}

const METRIC = String.raw`[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*`;
const NUMBER = String.raw`-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const EXPRESSION = new RegExp(String.raw`^(${METRIC})\s*(<=|>=|==|!=|<|>)\s*(${NUMBER})\s*([A-Za-z%]*)$`);

const EXAMPLE = 'write e.g. `latency.publishToAccept.p99 < 100ms` or `rejected.signature <= 5`';

export function parseThresholdExpression(text: string): ThresholdExpression | ThresholdSyntaxError {
  const source = text.trim();
  const match = EXPRESSION.exec(source);
  if (match === null) {
    if (/=/.test(source.replace(/[<>!=]=/g, ''))) return { error: `\`${source}\`: \`=\` is not a comparison, use \`==\`; ${EXAMPLE}` };
    if (!/(<=|>=|==|!=|<|>)/.test(source)) return { error: `\`${source}\` has no comparison (one of ${THRESHOLD_OPS.join(' ')}); ${EXAMPLE}` };
    return { error: `\`${source}\` is not \`<metric> <comparison> <number>[unit]\`; ${EXAMPLE}` };
  }
  const [, metric, op, number, rawUnit] = match as unknown as [string, string, ThresholdOp, string, string];
  const unit = rawUnit === '' ? null : rawUnit;
  if (unit !== null && UNITS[unit] === undefined) {
    return { error: `\`${source}\`: unknown unit \`${unit}\`; units are ${THRESHOLD_UNITS.join(', ')}, or none for counts` };
  }
  // Percent by division: 95 * 0.01 is 0.9500000000000001, which `>= 95%` would then miss by a hair.
  const bound = unit === '%' ? Number(number) / 100 : Number(number) * (unit === null ? 1 : UNITS[unit]!.factor);
  return { source, metric, op, bound, unit, boundText: `${number}${unit ?? ''}` };
}

export function isThresholdSyntaxError(parsed: ThresholdExpression | ThresholdSyntaxError): parsed is ThresholdSyntaxError {
  return 'error' in parsed;
}

const KIND_WORDS: Record<MetricKind, string> = {
  duration: 'a duration (ms, s or min)',
  bytes: 'a size in bytes (B, KiB, MiB or GiB)',
  ratio: 'a ratio (a % or a number from 0 to 1)',
  count: 'a count (a plain number)',
  gas: 'an amount of gas (a plain number)',
  rate: 'a rate per second (a plain number)',
};
const KIND_EXAMPLES: Record<MetricKind, string> = { duration: '100ms', bytes: '2GiB', ratio: '1%', count: '5', gas: '15000', rate: '1000' };

/**
 * Null when the expression's unit fits a metric of `kind`, else why not. A bare number is read
 * in the kind's base unit (milliseconds, bytes, a 0–1 ratio), as k6 reads bare durations.
 */
export function unitMismatch(expression: ThresholdExpression, kind: MetricKind): string | null {
  const { unit } = expression;
  if (unit === null) {
    if (kind === 'ratio' && (expression.bound < 0 || expression.bound > 1)) {
      return `\`${expression.source}\`: ${expression.metric} is a ratio from 0 to 1; write e.g. ${expression.bound}% or ${expression.bound / 100}`;
    }
    return null;
  }
  const unitKind = UNITS[unit]!.kind;
  if (unitKind === kind) return null;
  return `\`${expression.source}\`: ${expression.boundText} is ${KIND_WORDS[unitKind]}, and ${expression.metric} is ${KIND_WORDS[kind]}; write e.g. ${expression.metric} ${expression.op} ${KIND_EXAMPLES[kind]}`;
}

export function compareThreshold(measured: number, op: ThresholdOp, bound: number): boolean {
  switch (op) {
    case '<':
      return measured < bound;
    case '<=':
      return measured <= bound;
    case '>':
      return measured > bound;
    case '>=':
      return measured >= bound;
    case '==':
      return measured === bound;
    case '!=':
      return measured !== bound;
  }
}

/**
 * Whether a counter that only grows can still pass once it reads `measured`: for a bound from
 * above (`<`, `<=`, `==`) it cannot once it is past the bound. Bounds from below (`>`, `>=`) and
 * `!=` can always still pass later, so they are judged at the end of the run.
 */
export function growingCounterCanStillPass(measured: number, op: ThresholdOp, bound: number): boolean {
  if (op === '<') return measured < bound;
  if (op === '<=' || op === '==') return measured <= bound;
  return true;
}

/** A measured value written in the threshold's own unit (`84.2ms`, `1.31GiB`, `0.4%`), or in its kind's base unit. */
export function formatInUnit(value: number, unit: string | null, kind: MetricKind): string {
  const shown = (n: number) => (Number.isInteger(n) ? String(n) : Number(n.toPrecision(4)).toString());
  if (unit !== null) return `${shown(value / UNITS[unit]!.factor)}${unit}`;
  if (kind === 'duration') return `${shown(value)}ms`;
  if (kind === 'bytes') return `${shown(value)}B`;
  return shown(value);
}
