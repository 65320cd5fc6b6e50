import type { FleetBatch } from './ipc-messages.ts';

export interface OutboxOptions {
  send: (batch: FleetBatch) => void;
  /** Counters and memory, read at every flush. */
  snapshot: () => Pick<FleetBatch, 'counters' | 'memory' | 'connectMs'>;
  /** Flush once this many items are waiting. */
  maxItems: number;
  /** A batch without items still goes out this often, so the parent's counters stay current. */
  heartbeatMs: number;
  wallNowMs: () => number;
}

/**
 * Collects what the fleet process reports and sends it as one IPC message per batch: on
 * `tick()` (every 20–50 ms), as soon as `maxItems` wait, or on `flush()` — never one message
 * per publish.
 */
export class Outbox {
  private batch = Outbox.empty();
  private items = 0;
  private lastSentMs = -Infinity;

  constructor(private readonly options: OutboxOptions) {}

  private static empty(): Omit<FleetBatch, 'counters' | 'memory' | 'connectMs'> {
    return { type: 'batch', published: [], register: [], publishFailed: [], registrationFailed: [], logs: [] };
  }

  published(deviceId: string, digest: Uint8Array, sentMs: number, ackedMs: number, timestampS: number): void {
    this.batch.published.push([deviceId, digest, sentMs, ackedMs, timestampS]);
    this.added();
  }

  register(deviceId: string): void {
    this.batch.register.push(deviceId);
    this.added();
  }

  publishFailed(deviceId: string, reason: string): void {
    this.batch.publishFailed.push([deviceId, reason]);
    this.added();
  }

  registrationFailed(deviceId: string, reason: string): void {
    this.batch.registrationFailed.push([deviceId, reason]);
    this.added();
  }

  log(level: 'info' | 'warn' | 'debug', message: string): void {
    this.batch.logs.push([level, message]);
    this.added();
  }

  /** Called by a timer: sends what waits, or a heartbeat when nothing went out for `heartbeatMs`. */
  tick(): void {
    if (this.items > 0 || this.options.wallNowMs() - this.lastSentMs >= this.options.heartbeatMs) this.flush();
  }

  /** Sends the batch now (counters included, even without items). */
  flush(): void {
    const batch: FleetBatch = { ...this.batch, ...this.options.snapshot() };
    this.batch = Outbox.empty();
    this.items = 0;
    this.lastSentMs = this.options.wallNowMs();
    this.options.send(batch);
  }

  private added(): void {
    this.items += 1;
    if (this.items >= this.options.maxItems) this.flush();
  }
}
