import type { Clock, TimerHandle } from '../../core/ports.ts';
import type { HeapTimer } from './timer-heap.ts';
import { TimerQueue } from './timer-queue.ts';

/**
 * Discrete-event simulated time, shared by the clock that leads a run (`DiscreteClock`) and the
 * one that follows a fleet process (`FollowerClock`): `nowMs()` jumps from timer to timer, so a
 * device that stamps a reading when its upload timer fires gets exactly the scheduled time —
 * which makes a run reproducible from its seed — while the MQTT traffic stays real. Timers
 * falling within one slice of simulated time run back to back; the clock then waits for the
 * real I/O they started before going on, so I/O callbacks see the slice's last time.
 */
export class DiscreteTime implements Clock {
  private now: number;
  private readonly timers = new TimerQueue();
  private stopped = false;

  constructor(
    startMs: number,
    private readonly sliceMs: number,
  ) {
    this.now = startMs;
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

  /** Stops running timers at the next slice boundary. */
  stop(): void {
    this.stopped = true;
  }

  /** Timers still pending. */
  pending(): number {
    return this.timers.size;
  }

  cancelAll(): void {
    this.timers.clear();
  }

  /** The earliest pending timer. */
  protected earliest(): HeapTimer | undefined {
    return this.timers.peek();
  }

  /** Runs every timer due by `lastMs`, slice boundaries or not, then stays at `lastMs`. Time never goes back. */
  protected runDue(lastMs: number): void {
    while (!this.stopped && (this.timers.peek()?.atMs ?? Infinity) <= lastMs) this.runSlice((atMs) => atMs <= lastMs);
    this.now = Math.max(this.now, lastMs);
  }

  /**
   * Advances simulated time to `endMs`, slice by slice, awaiting `settle` after each slice and
   * then what `afterSlice` returns, if anything (a wall-clock wait that paces the run).
   */
  protected async advance(endMs: number, settle: () => Promise<void>, afterSlice?: () => Promise<void> | undefined): Promise<void> {
    while (!this.stopped) {
      let next = this.timers.peek();
      if (next === undefined || next.atMs > endMs) {
        // I/O still under way (a connect, a registration) may schedule timers before endMs.
        await settle();
        next = this.timers.peek();
        if (next === undefined || next.atMs > endMs) break;
      }
      const sliceEnd = Math.min(next.atMs + this.sliceMs, endMs + 1);
      this.runSlice((atMs) => atMs < sliceEnd);
      await settle();
      // No await without a wait: an extra turn would let I/O callbacks in at another point.
      const wait = afterSlice?.();
      if (wait !== undefined) await wait;
    }
    if (!this.stopped) this.now = Math.max(this.now, endMs);
  }

  private runSlice(due: (atMs: number) => boolean): void {
    this.timers.runSlice(due, (atMs) => {
      this.now = Math.max(this.now, atMs);
    });
  }
}
