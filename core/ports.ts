/**
 * Small interfaces that the lower layers (devices/, circuits/, contracts/, reports/) declare
 * and sim/ implements, so that dependencies point one way (docs/architecture.md, "Rooms").
 */

/** Progress and diagnostics sink. `info` lines are shown to the user as progress. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };

/** Simulation clock: devices never read wall time or set timers directly. */
export interface Clock {
  /** Current simulated time in milliseconds since the Unix epoch. */
  nowMs(): number;
  /** Runs `fn` after `delayMs` of simulated time; returns a handle for `cancel`. */
  schedule(delayMs: number, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: number;
}

/** Seeded random source: a float in [0, 1). */
export interface Random {
  next(): number;
}
