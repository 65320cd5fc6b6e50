import type { TimerHandle } from '../../core/ports.ts';
import { TimerHeap, type HeapTimer } from './timer-heap.ts';

/**
 * The pending timers of a simulated clock: ordered by (time, scheduling order), cancellable,
 * with barrier timers that begin a slice of their own: the timers of `DiscreteTime`.
 */
export class TimerQueue {
  private seq = 0;
  private nextId = 1;
  private readonly heap = new TimerHeap();
  /** Ids of timers scheduled and neither run nor cancelled. */
  private readonly live = new Set<number>();

  push(atMs: number, fn: () => void, barrier: boolean): TimerHandle {
    const id = this.nextId++;
    this.heap.push({ atMs, seq: this.seq++, id, fn, barrier });
    this.live.add(id);
    return { id };
  }

  cancel(handle: TimerHandle): void {
    this.live.delete(handle.id);
  }

  /** The earliest timer still pending. */
  peek(): HeapTimer | undefined {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (this.live.has(top.id)) return top;
      this.heap.pop();
    }
    return undefined;
  }

  /**
   * Runs, in order, the timers for which `due(atMs)` holds — one slice: it stops before a
   * barrier that is not the slice's first timer. `enter(atMs)` is called before each timer
   * runs, so the clock can show the timer its own time.
   */
  runSlice(due: (atMs: number) => boolean, enter: (atMs: number) => void): void {
    let first = true;
    for (let timer = this.peek(); timer !== undefined && due(timer.atMs); timer = this.peek()) {
      if (timer.barrier === true && !first) break;
      first = false;
      this.heap.pop();
      this.live.delete(timer.id);
      enter(timer.atMs);
      timer.fn();
    }
  }

  get size(): number {
    return this.live.size;
  }

  clear(): void {
    while (this.heap.pop() !== undefined);
    this.live.clear();
  }
}
