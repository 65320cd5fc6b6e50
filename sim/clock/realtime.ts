import type { Clock, TimerHandle } from '../../core/ports.ts';
import { msHistogram } from '../stats-histogram.ts';

/**
 * Simulated time that runs at wall-clock speed. It is the only place in a realtime run that
 * reads the system clock and sets system timers; devices only see the `Clock` interface.
 */
export class RealtimeClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  /**
   * How late timers fired: when devices' uploads fire late the load generator, not the system
   * under test, set the pace — the report says so.
   */
  readonly lateness = msHistogram();

  constructor(private readonly wallNowMs: () => number = Date.now) {}

  nowMs(): number {
    return this.wallNowMs();
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    const dueMs = this.wallNowMs() + Math.max(0, delayMs);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.lateness.record(this.wallNowMs() - dueMs);
      fn();
    }, Math.max(0, delayMs));
    this.timers.set(id, timer);
    return { id };
  }

  cancel(handle: TimerHandle): void {
    const timer = this.timers.get(handle.id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(handle.id);
    }
  }

  /** Timers still pending: a clean stop leaves none. */
  pending(): number {
    return this.timers.size;
  }

  cancelAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
