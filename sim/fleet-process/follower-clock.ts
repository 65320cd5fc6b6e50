import type { Clock, TimerHandle } from '../../core/ports.ts';
import { TimerQueue } from '../clock/timer-queue.ts';

/**
 * The run's clock in accelerated time while the fleet runs in its own process: simulated time
 * is led by the fleet's discrete clock, and this one follows. `nowMs()` is the last time the
 * fleet reported; timers (epoch closes) fire when the reported time reaches them, in
 * (time, scheduling order) order, each seeing its own scheduled time — as they would in the
 * fleet's clock. Once the fleet is gone, `runUntil` advances on its own.
 */
export class FollowerClock implements Clock {
  private now: number;
  private readonly timers = new TimerQueue();
  private stopped = false;

  constructor(startMs: number, private readonly sliceMs: number) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    return this.timers.push(this.now + Math.max(0, delayMs), fn, false);
  }

  /** A timer that starts a slice of its own (DiscreteClock.scheduleBarrier); the fleet keeps the same boundary. */
  scheduleBarrier(delayMs: number, fn: () => void): TimerHandle {
    return this.timers.push(this.now + Math.max(0, delayMs), fn, true);
  }

  cancel(handle: TimerHandle): void {
    this.timers.cancel(handle);
  }

  /** The earliest pending timer (the fleet keeps a slice boundary there). */
  nextDue(): { atMs: number; barrier: boolean } | undefined {
    const next = this.timers.peek();
    return next === undefined ? undefined : { atMs: next.atMs, barrier: next.barrier === true };
  }

  /** The leader reached `nowMs`: runs every timer due by then, then stays at `nowMs`. Time never goes back. */
  follow(nowMs: number): void {
    this.runDue(nowMs);
    this.now = Math.max(this.now, nowMs);
  }

  /** Runs timers due by `lastMs`; with `oneSlice`, stops before a barrier that is not the first. */
  private runDue(lastMs: number, oneSlice = false): void {
    const enter = (atMs: number) => {
      this.now = Math.max(this.now, atMs);
    };
    const stopped = () => this.stopped;
    if (oneSlice) {
      this.timers.runSlice((atMs) => atMs <= lastMs, enter, stopped);
      return;
    }
    // Following the fleet, every timer due by its time runs, slice boundaries or not.
    while (!this.stopped && (this.timers.peek()?.atMs ?? Infinity) <= lastMs) this.timers.runSlice((atMs) => atMs <= lastMs, enter, stopped);
  }

  /** Leads alone (no fleet): slice by slice up to `endMs`, waiting for `settle` after each, as DiscreteClock does. */
  async runUntil(endMs: number, settle: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      let next = this.timers.peek();
      if (next === undefined || next.atMs > endMs) {
        // I/O still under way may schedule timers before endMs (as in DiscreteClock.runUntil).
        await settle();
        next = this.timers.peek();
        if (next === undefined || next.atMs > endMs) break;
      }
      this.runDue(Math.min(next.atMs + this.sliceMs - 1, endMs), true);
      await settle();
    }
    if (!this.stopped) this.now = Math.max(this.now, endMs);
  }

  pending(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
  }

  cancelAll(): void {
    this.timers.clear();
  }
}
