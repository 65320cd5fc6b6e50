/**
 * The `--flag value` arguments of the bench scripts. A script declares its flags once, each with
 * its default and what it expects; a flag is its key in kebab case (`epochS` is `--epoch-s`). An
 * unknown flag, a flag without its value or given twice, or a value that is not what the flag
 * expects stops the bench with a message naming the flag and what it expects.
 */

export class BenchArgsError extends Error {
  override name = 'BenchArgsError';
}

export interface BenchFlag<T> {
  /** What a value must be, for messages: "a positive integer". */
  readonly expected: string;
  /** false: a switch, true when given, taking no value. */
  readonly takesValue: boolean;
  readonly fallback: T;
  /** The value, or undefined when the text is not what the flag expects. */
  read(text: string): T | undefined;
}

type Values<S> = { [K in keyof S]: S[K] extends BenchFlag<infer T> ? T : never };

function bound(min: number, noun: string): string {
  if (min === 0) return `a non-negative ${noun}`;
  if (min === 1 && noun === 'integer') return 'a positive integer';
  return `${noun === 'integer' ? 'an' : 'a'} ${noun} ≥ ${min}`;
}

function readNumber(text: string, integer: boolean, min: number, above: boolean): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return undefined;
  return (above ? n > min : n >= min) ? n : undefined;
}

/** An integer ≥ `min` (default 1). */
export function integer<D extends number | undefined>(fallback: D, min = 1): BenchFlag<number | D> {
  return { expected: bound(min, 'integer'), takesValue: true, fallback, read: (t) => readNumber(t, true, min, false) };
}

/** A finite number ≥ `min` (default 0). */
export function number<D extends number | undefined>(fallback: D, min = 0): BenchFlag<number | D> {
  return { expected: bound(min, 'number'), takesValue: true, fallback, read: (t) => readNumber(t, false, min, false) };
}

/** A finite number > 0. */
export function positive<D extends number | undefined>(fallback: D): BenchFlag<number | D> {
  return { expected: 'a positive number', takesValue: true, fallback, read: (t) => readNumber(t, false, 0, true) };
}

/** Comma-separated integers, each ≥ `min` (default 1): `1000,10000`. */
export function integers(fallback: number[], min = 1): BenchFlag<number[]> {
  const example = min > 1 ? `${min},${min + 1}` : `${min},${min + 1},${min + 2}`;
  return {
    expected: `comma-separated integers ≥ ${min}, e.g. ${example}`,
    takesValue: true,
    fallback,
    read: (t) => {
      const values = t.split(',').map((part) => readNumber(part, true, min, false));
      return values.every((v) => v !== undefined) ? (values as number[]) : undefined;
    },
  };
}

/** Any text, taken as given (it may start with `-`: `--server-node-flags "--trace-gc"`). */
export function text<D extends string | undefined>(fallback: D): BenchFlag<string | D> {
  return { expected: 'a value', takesValue: true, fallback, read: (t) => t };
}

/** Comma-separated names, each one of `choices`. */
export function choices<const C extends string, D extends C[] | undefined>(names: readonly C[], fallback: D): BenchFlag<C[] | D> {
  return {
    expected: `comma-separated names of ${names.join(', ')}`,
    takesValue: true,
    fallback,
    read: (t) => {
      const parts = t.split(',');
      return parts.every((p) => (names as readonly string[]).includes(p)) ? (parts as C[]) : undefined;
    },
  };
}

/** A switch: true when given. */
export function flag(): BenchFlag<boolean> {
  return { expected: 'no value', takesValue: false, fallback: false, read: () => true };
}

export const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Reads `argv` (without node and the script) against `spec`; throws BenchArgsError. */
export function parseBenchArgs<const S extends Record<string, BenchFlag<unknown>>>(argv: readonly string[], spec: S): Values<S> {
  const byName = new Map(Object.entries(spec).map(([key, f]) => [flagName(key), { key, f }]));
  const listed = `options: ${[...byName.keys()].join(', ')}`;
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(spec).map(([key, f]) => [key, f.fallback]));
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    const entry = byName.get(name);
    if (entry === undefined) {
      const [before, after] = [name.slice(0, name.indexOf('=')), name.slice(name.indexOf('=') + 1)];
      if (name.includes('=') && byName.has(before)) throw new BenchArgsError(`option ${name}: give the value after a space: ${before} ${after}`);
      throw new BenchArgsError(name.startsWith('-') ? `unknown option ${name}; ${listed}` : `unexpected argument ${JSON.stringify(name)}; ${listed}`);
    }
    if (seen.has(name)) throw new BenchArgsError(`option ${name}: given twice; give it once`);
    seen.add(name);
    const { key, f } = entry;
    if (!f.takesValue) {
      values[key] = f.read('');
      continue;
    }
    const given = argv[++i];
    if (given === undefined) throw new BenchArgsError(`option ${name}: expected ${f.expected}, got nothing`);
    const value = f.read(given);
    if (value === undefined) throw new BenchArgsError(`option ${name}: expected ${f.expected}, got ${JSON.stringify(given)}`);
    values[key] = value;
  }
  return values as Values<S>;
}

/** parseBenchArgs over this process's arguments; a bad one ends the bench with its message (exit code 2). */
export function benchArgs<const S extends Record<string, BenchFlag<unknown>>>(spec: S): Values<S> {
  try {
    return parseBenchArgs(process.argv.slice(2), spec);
  } catch (error) {
    if (!(error instanceof BenchArgsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
