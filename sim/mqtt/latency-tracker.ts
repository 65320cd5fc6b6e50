/**
 * Remembers when each client sent each payload (wall clock), so the ingest can measure
 * publish → accept latency. MQTT keeps a connection's PUBLISH order [MQTT-4.6.0-6], so a
 * FIFO per client suffices; entries of publishes that never arrived are skipped by comparing
 * payloads.
 */
export class LatencyTracker {
  private readonly queues = new Map<string, Array<{ payload: Uint8Array; atMs: number }>>();

  /**
   * `maxPerClient`: sends kept per client; beyond it the oldest is forgotten, so a device whose
   * readings are all rejected (never taken) does not grow its queue without bound.
   */
  constructor(
    private readonly wallNowMs: () => number,
    private readonly maxPerClient = 4096,
  ) {}

  sent(clientId: string, payload: Uint8Array): void {
    let queue = this.queues.get(clientId);
    if (queue === undefined) this.queues.set(clientId, (queue = []));
    queue.push({ payload, atMs: this.wallNowMs() });
    if (queue.length > this.maxPerClient) queue.shift();
  }

  /** The matching send time, left in place (for the PUBACK, before the ingest takes it); undefined for a payload never seen sent. */
  peek(clientId: string, payload: Uint8Array): number | undefined {
    return this.queues.get(clientId)?.find((entry) => Buffer.compare(entry.payload, payload) === 0)?.atMs;
  }

  /** Pops the matching send time; undefined for a payload this tracker never saw sent. */
  take(clientId: string, payload: Uint8Array): number | undefined {
    const queue = this.queues.get(clientId);
    if (queue === undefined) return undefined;
    const at = queue.findIndex((entry) => Buffer.compare(entry.payload, payload) === 0);
    if (at < 0) return undefined;
    const { atMs } = queue[at]!;
    queue.splice(0, at + 1);
    return atMs;
  }
}
