/**
 * Publish → accept latency when the sender is another process. Send times arrive with the
 * fleet's batches, after the ingest may already have accepted the reading, so the two halves
 * are paired by (client id, payload digest) in whichever order they come. Both processes read
 * the same wall clock. Halves that never find a partner (a rejected reading, a publish lost with
 * its connection) are dropped oldest first beyond `maxPending`.
 */
export class LatencyMatcher {
  private readonly sent = new Map<string, number>();
  private readonly accepted = new Map<string, number>();

  constructor(
    private readonly record: (latencyMs: number) => void,
    private readonly maxPending = 200_000,
  ) {}

  sentAt(clientId: string, digest: Uint8Array, sentMs: number): void {
    if (sentMs < 0) return;
    this.pair(clientId, digest, sentMs, this.accepted, this.sent, (acceptedMs) => acceptedMs - sentMs);
  }

  acceptedAt(clientId: string, digest: Uint8Array, acceptedMs: number): void {
    this.pair(clientId, digest, acceptedMs, this.sent, this.accepted, (sentMs) => acceptedMs - sentMs);
  }

  pending(): number {
    return this.sent.size + this.accepted.size;
  }

  private pair(clientId: string, digest: Uint8Array, atMs: number, other: Map<string, number>, own: Map<string, number>, latency: (otherMs: number) => number): void {
    const key = `${clientId} ${Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('hex')}`;
    const partner = other.get(key);
    if (partner !== undefined) {
      other.delete(key);
      this.record(latency(partner));
      return;
    }
    own.set(key, atMs);
    if (own.size > this.maxPending) own.delete(own.keys().next().value!);
  }
}
