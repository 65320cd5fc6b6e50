import type { Clock, TimerHandle } from '../../core/ports.ts';
import { TimerHeap } from './timer-heap.ts';

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
  private seq = 0;
  private nextId = 1;
  private readonly heap = new TimerHeap();
  /** Ids of timers scheduled and neither run nor cancelled. */
  private readonly live = new Set<number>();
  private stopped = false;

  constructor(private readonly options: DiscreteClockOptions) {
    this.now = options.startMs;
  }

  nowMs(): number {
    return this.now;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    return this.push(delayMs, fn, false);
  }

  /**
   * A timer that runs only after all I/O started before it has settled (an epoch close must see
   * every reading published before it), at the start of a slice of its own.
   */
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
      let next = this.nextLive();
      if (next === undefined || next.atMs > endMs) {
        // I/O still under way (a connect, a registration) may schedule timers before endMs.
        await this.options.settle();
        next = this.nextLive();
        if (next === undefined || next.atMs > endMs) break;
      }
      const sliceEnd = Math.min(next.atMs + sliceMs, endMs + 1);
      let first = true;
      for (let timer = this.nextLive(); timer !== undefined && timer.atMs < sliceEnd; timer = this.nextLive()) {
        if (timer.barrier === true && !first) break;
        first = false;
        this.heap.pop();
        this.live.delete(timer.id);
        this.now = timer.atMs;
        timer.fn();
      }
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
    return this.live.size;
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
