import { DiscreteTime } from './discrete-time.ts';

export interface DiscreteClockOptions {
  /** Simulated time at the start, ms since the Unix epoch. */
  startMs: number;
  /**
   * Timers falling within one slice of simulated time run back to back; the clock then waits
   * for the real I/O they started (publishes, acknowledgements, ingest) before going on.
   */
  sliceMs: number;
  /** Resolves when the I/O started by the last slice has settled. */
  settle: () => Promise<void>;
  /** At most this many simulated ms per wall ms (e.g. 60 = one minute per second); Infinity = as fast as possible. */
  speed: number;
  wallNowMs: () => number;
  /** Waits on the wall clock; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

const wallSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The discrete clock that leads a run (in this process, or in the fleet process): it settles
 * the I/O of each slice through `options.settle` and keeps simulated time within `speed` of
 * the wall clock.
 */
export class DiscreteClock extends DiscreteTime {
  constructor(private readonly options: DiscreteClockOptions) {
    super(options.startMs, options.sliceMs);
  }

  /** Advances simulated time to `endMs`, running every timer due on the way. */
  runUntil(endMs: number): Promise<void> {
    const { speed, wallNowMs } = this.options;
    const wallStart = wallNowMs();
    const simStart = this.nowMs();
    const pace = () => {
      const aheadMs = (this.nowMs() - simStart) / speed - (wallNowMs() - wallStart);
      return aheadMs > 1 ? (this.options.sleep ?? wallSleep)(aheadMs) : undefined;
    };
    return this.advance(endMs, () => this.options.settle(), Number.isFinite(speed) ? pace : undefined);
  }
}
