import type { Random } from '../core/ports.ts';
import { deriveWords, type Seed } from './derive.ts';

/**
 * sfc32: a small, fast PRNG with a 128-bit state. Devices use it only for streams forked from an
 * injected Random or derived from the scenario seed, never as hidden global randomness.
 */
export function createRandom(words: readonly [number, number, number, number]): Random {
  let a = words[0] >>> 0;
  let b = words[1] >>> 0;
  let c = words[2] >>> 0;
  let d = words[3] >>> 0;
  if ((a | b | c | d) === 0) d = 1;
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return { next };
}

/** The Random of (seed, purpose, index): the same arguments always give the same stream. */
export function seededRandom(seed: Seed, purpose: string, index: number): Random {
  return createRandom(deriveWords(seed, purpose, index));
}

/**
 * An independent child stream. Forking at construction keeps, e.g., a device's track a function
 * of its seed and time alone, however many network-jitter draws the parent serves later.
 */
export function forkRandom(parent: Random): Random {
  const word = (): number => Math.floor(parent.next() * 4294967296) >>> 0;
  return createRandom([word(), word(), word(), word()]);
}

export function uniform(random: Random, min: number, max: number): number {
  return min + (max - min) * random.next();
}

/** Standard normal deviate (Box–Muller); `1 - next()` keeps the logarithm finite. */
export function gaussian(random: Random): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
