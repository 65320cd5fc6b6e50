import fc from 'fast-check';
import { expect } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../core/error-codes.ts';
import { PinbenchError } from '../../core/errors.ts';

/**
 * Fuzz runs start from a fixed seed so that CI is reproducible: a red run is red again on the next
 * push and on a laptop, instead of a failure that comes and goes with Math.random. FUZZ_SEED
 * overrides it to explore other inputs (e.g. a nightly with FUZZ_SEED=$RANDOM); fast-check prints
 * the seed and the counterexample's path on failure, so any find can be replayed.
 */
export const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? 18_2026 : Number(process.env.FUZZ_SEED);

/**
 * Options for one property: few runs and a wall-clock cap so the whole fuzz folder stays well
 * under a minute on a shared 2-core machine (the cap ends the run early, it never fails it).
 */
export function fuzzOptions(numRuns: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns, interruptAfterTimeLimit: 4_000, markInterruptAsFailure: false };
}

/**
 * The fuzz property: `run` either returns a value or throws a PinbenchError whose code is listed
 * in core/error-codes.ts and is one of `codes` — never a TypeError, RangeError or anything else.
 */
export function valueOrPinbenchError<T>(run: () => T, codes: readonly ErrorCode[]): T | PinbenchError {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof PinbenchError)) {
      throw new Error(`expected a value or a PinbenchError, got ${(error as Error)?.name}: ${(error as Error)?.message}`, { cause: error });
    }
    expect(Object.keys(ERROR_CODES)).toContain(error.code);
    expect(codes).toContain(error.code);
    return error;
  }
}
