import type { Clock, TimerHandle } from '../../core/ports.ts';

/**
 * Simulated time that runs at wall-clock speed. It is the only place in a realtime run that
 * reads the system clock and sets system timers; devices only see the `Clock` interface.
 */
export class RealtimeClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(private readonly wallNowMs: () => number = Date.now) {}

  nowMs(): number {
    return this.wallNowMs();
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.timers.delete(id);
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
