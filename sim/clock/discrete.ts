import type { Clock, TimerHandle } from '../../core/ports.ts';
import { TimerQueue } from './timer-queue.ts';

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
 * Discrete-event simulated time: `nowMs()` jumps from timer to timer, so a device that stamps
 * a reading when its upload timer fires gets exactly the scheduled time — which makes a run
 * reproducible from its seed — while the MQTT traffic stays real. Timer callbacks of a slice
 * run synchronously; I/O callbacks run between slices and see the slice's last time.
 */
export class DiscreteClock implements Clock {
  private now: number;
  private readonly timers = new TimerQueue();
  private stopped = false;

  constructor(private readonly options: DiscreteClockOptions) {
    this.now = options.startMs;
  }

  nowMs(): number {
    return this.now;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    return this.timers.push(this.now + Math.max(0, delayMs), fn, false);
  }

  /**
   * A timer that runs only after all I/O started before it has settled (an epoch close must see
   * every reading published before it), at the start of a slice of its own.
   */
  scheduleBarrier(delayMs: number, fn: () => void): TimerHandle {
    return this.timers.push(this.now + Math.max(0, delayMs), fn, true);
  }

  cancel(handle: TimerHandle): void {
    this.timers.cancel(handle);
  }

  /** Stops `runUntil` at its next slice boundary. */
  stop(): void {
    this.stopped = true;
  }

  /** Advances simulated time to `endMs`, running every timer due on the way. */
  async runUntil(endMs: number): Promise<void> {
    const { sliceMs, speed, wallNowMs } = this.options;
    const wallStart = wallNowMs();
    const simStart = this.now;
    while (!this.stopped) {
      let next = this.timers.peek();
      if (next === undefined || next.atMs > endMs) {
        // I/O still under way (a connect, a registration) may schedule timers before endMs.
        await this.options.settle();
        next = this.timers.peek();
        if (next === undefined || next.atMs > endMs) break;
      }
      const sliceEnd = Math.min(next.atMs + sliceMs, endMs + 1);
      this.timers.runSlice(
        (atMs) => atMs < sliceEnd,
        (atMs) => {
          this.now = atMs;
        },
      );
      await this.options.settle();
      if (Number.isFinite(speed)) {
        const aheadMs = (this.now - simStart) / speed - (wallNowMs() - wallStart);
        if (aheadMs > 1) await (this.options.sleep ?? wallSleep)(aheadMs);
      }
    }
    if (!this.stopped) this.now = Math.max(this.now, endMs);
  }

  /** Timers still pending. */
  pending(): number {
    return this.timers.size;
  }

  cancelAll(): void {
    this.timers.clear();
  }
}
