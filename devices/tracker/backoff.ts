import type { Random } from '../../core/ports.ts';

/** Reconnect backoff: exponential, capped, with "equal jitter" (AWS Architecture Blog, 2015). */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  /** Fraction in [0, 1] taken off the delay at random; ≤ 0.5 with multiplier ≥ 2 keeps delays non-decreasing up to the cap. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 60_000, multiplier: 2, jitter: 0.5 };

/** Delay before retry `attempt` (1-based): in [base·(1−jitter), base], base = min(max, initial·multiplier^(attempt−1)). */
export function backoffDelayMs(options: BackoffOptions, attempt: number, random: Random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.multiplier ** (attempt - 1));
  return Math.round(base * (1 - options.jitter * random.next()));
}
