/**
 * Collects devices that reach `registering` and writes them to the registry in batches
 * (one `registerMany` transaction per batch instead of one per device), then resolves each
 * device's wait with the index the registry assigned.
 */
export class BatchingRegistrar<D> {
  private queue: Array<{ device: D; resolve: (index: number) => void; reject: (error: unknown) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly writeBatch: (devices: D[]) => Promise<number[]>,
    private readonly options: { maxBatch: number; lingerMs: number },
  ) {}

  register(device: D): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ device, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    // Batches go out one after another so registry indices follow arrival order.
    this.inFlight = this.inFlight.then(async () => {
      try {
        const indices = await this.writeBatch(batch.map((entry) => entry.device));
        batch.forEach((entry, i) => entry.resolve(indices[i]!));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    });
  }

  /** Waits for every queued registration to be written. */
  async drain(): Promise<void> {
    this.flush();
    await this.inFlight;
  }
}
