/**
 * The on-device offline buffer: a bounded FIFO. When full, pushing drops the oldest entry (the
 * Pebble's flash ring overwrites its oldest record) and `push` returns how many were dropped.
 */
export class ReadingBuffer<T> {
  private items: (T | undefined)[];
  private head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(Math.min(capacity, 64));
  }

  push(item: T): number {
    if (this.capacity === 0) return 1;
    let dropped = 0;
    if (this.size === this.capacity) {
      this.shift();
      dropped = 1;
    }
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) % this.items.length] = item;
    this.size++;
    return dropped;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.size--;
    return item;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.head + i) % this.items.length]!);
    return out;
  }

  private grow(): void {
    const items = this.toArray() as (T | undefined)[];
    items.length = Math.min(this.capacity, Math.max(1, this.items.length * 2));
    this.items = items;
    this.head = 0;
  }
}
