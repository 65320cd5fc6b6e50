/**
 * Readings waiting for the broker, oldest first, at most `capacity`. When full the oldest is
 * dropped: after a long outage the newest positions are the ones worth sending, and the backend
 * refuses readings too far in the past anyway.
 */
export class PublishQueue<T> {
  private items: T[] = [];
  /** Readings dropped because the queue was full. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
  }

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.items.length === this.capacity) {
      this.items.shift();
      this.dropped++;
    }
    this.items.push(item);
  }

  /** Takes everything queued, oldest first. */
  drain(): T[] {
    const all = this.items;
    this.items = [];
    return all;
  }
}
