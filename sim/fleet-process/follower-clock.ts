import type { Clock, TimerHandle } from '../../core/ports.ts';
import { TimerHeap } from '../clock/timer-heap.ts';

/**
 * The run's clock in accelerated time while the fleet runs in its own process: simulated time
 * is led by the fleet's discrete clock, and this one follows. `nowMs()` is the last time the
 * fleet reported; timers (epoch closes) fire when the reported time reaches them, in
 * (time, scheduling order) order, each seeing its own scheduled time — as they would in the
 * fleet's clock. Once the fleet is gone, `runUntil` advances on its own.
 */
export class FollowerClock implements Clock {
  private now: number;
  private seq = 0;
  private nextId = 1;
  private readonly heap = new TimerHeap();
  private readonly live = new Set<number>();
  private stopped = false;

  constructor(startMs: number, private readonly sliceMs: number) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    return this.push(delayMs, fn, false);
  }

  /** A timer that starts a slice of its own (DiscreteClock.scheduleBarrier); the fleet keeps the same boundary. */
  scheduleBarrier(delayMs: number, fn: () => void): TimerHandle {
    return this.push(delayMs, fn, true);
  }

  private push(delayMs: number, fn: () => void, barrier: boolean): TimerHandle {
    const id = this.nextId++;
    this.heap.push({ atMs: this.now + Math.max(0, delayMs), seq: this.seq++, id, fn, barrier });
    this.live.add(id);
    return { id };
  }

  cancel(handle: TimerHandle): void {
    this.live.delete(handle.id);
  }

  /** The earliest pending timer (the fleet keeps a slice boundary there). */
  nextDue(): { atMs: number; barrier: boolean } | undefined {
    const next = this.nextLive();
    return next === undefined ? undefined : { atMs: next.atMs, barrier: next.barrier === true };
  }

  /** The leader reached `nowMs`: runs every timer due by then, then stays at `nowMs`. Time never goes back. */
  follow(nowMs: number): void {
    this.runDue(nowMs);
    this.now = Math.max(this.now, nowMs);
  }

  /** Runs timers due by `lastMs`; with `oneSlice`, stops before a barrier that is not the first. */
  private runDue(lastMs: number, oneSlice = false): void {
    let first = true;
    for (let timer = this.nextLive(); timer !== undefined && timer.atMs <= lastMs && !this.stopped; timer = this.nextLive()) {
      if (oneSlice && timer.barrier === true && !first) break;
      first = false;
      this.heap.pop();
      this.live.delete(timer.id);
      this.now = Math.max(this.now, timer.atMs);
      timer.fn();
    }
  }

  /** Leads alone (no fleet): slice by slice up to `endMs`, waiting for `settle` after each, as DiscreteClock does. */
  async runUntil(endMs: number, settle: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      let next = this.nextLive();
      if (next === undefined || next.atMs > endMs) {
        // I/O still under way may schedule timers before endMs (as in DiscreteClock.runUntil).
        await settle();
        next = this.nextLive();
        if (next === undefined || next.atMs > endMs) break;
      }
      this.runDue(Math.min(next.atMs + this.sliceMs - 1, endMs), true);
      await settle();
    }
    if (!this.stopped) this.now = Math.max(this.now, endMs);
  }

  pending(): number {
    return this.live.size;
  }

  stop(): void {
    this.stopped = true;
  }

  cancelAll(): void {
    while (this.heap.pop() !== undefined);
    this.live.clear();
  }

  private nextLive() {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (this.live.has(top.id)) return top;
      this.heap.pop();
    }
    return undefined;
  }
}
