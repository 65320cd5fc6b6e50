import { PinbenchError } from '../../core/errors.ts';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';

export interface TrackerOptions {
  readonly backoff?: Partial<BackoffOptions>;
  /** Boot takes a uniform time in [minMs, maxMs], which also spreads a fleet's first connects. */
  readonly boot?: { readonly minMs: number; readonly maxMs: number };
  /** A connect (CONNECT to SUBACK) that takes longer counts as failed. */
  readonly connectTimeoutMs?: number;
}

export interface ResolvedTrackerOptions {
  readonly backoff: BackoffOptions;
  readonly boot: { readonly minMs: number; readonly maxMs: number };
  readonly connectTimeoutMs: number;
}

export const DEFAULT_TRACKER_OPTIONS: ResolvedTrackerOptions = {
  backoff: DEFAULT_BACKOFF,
  boot: { minMs: 1_000, maxMs: 3_000 },
  connectTimeoutMs: 30_000,
};

/** Merges defaults once and validates; errors name the option and say what is expected. */
export function resolveTrackerOptions(options: TrackerOptions = {}): ResolvedTrackerOptions {
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const boot = options.boot ?? DEFAULT_TRACKER_OPTIONS.boot;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_TRACKER_OPTIONS.connectTimeoutMs;
  const check = (ok: boolean, option: string, expected: string, value: unknown): void => {
    if (!ok) {
      throw new PinbenchError('E_CONFIG', `option \`tracker.${option}\`: expected ${expected}, got ${JSON.stringify(value)}`, {
        details: { option: `tracker.${option}`, value },
      });
    }
  };
  const positive = (v: number): boolean => Number.isFinite(v) && v > 0;
  check(positive(backoff.initialMs), 'backoff.initialMs', 'a positive number of milliseconds', backoff.initialMs);
  check(positive(backoff.maxMs) && backoff.maxMs >= backoff.initialMs, 'backoff.maxMs', `a number ≥ backoff.initialMs (${backoff.initialMs})`, backoff.maxMs);
  check(Number.isFinite(backoff.multiplier) && backoff.multiplier >= 1, 'backoff.multiplier', 'a number ≥ 1', backoff.multiplier);
  check(Number.isFinite(backoff.jitter) && backoff.jitter >= 0 && backoff.jitter <= 1, 'backoff.jitter', 'a fraction in [0, 1]', backoff.jitter);
  check(Number.isFinite(boot.minMs) && boot.minMs >= 0 && boot.maxMs >= boot.minMs, 'boot', '{ minMs ≥ 0, maxMs ≥ minMs }', boot);
  check(positive(connectTimeoutMs), 'connectTimeoutMs', 'a positive number of milliseconds', connectTimeoutMs);
  return { backoff, boot, connectTimeoutMs };
}
