import { describe, expect, it } from 'vitest';
import { PublishHandOver } from '../../backend/broker/publish-hand-over.ts';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('publish hand-over', () => {
  it('behavior: hands publishes over after the current turn of the event loop, all of them in arrival order', async () => {
    const seen: string[] = [];
    const handOver = new PublishHandOver((clientId, topic) => seen.push(`${clientId} ${topic}`));
    handOver.add('a', 'device/a/data', Buffer.of(1), () => undefined);
    handOver.add('b', 'device/b/data', Buffer.of(2), () => undefined);
    handOver.add('a', 'device/a/confirm', Buffer.of(3), () => undefined);
    expect(seen).toEqual([]);
    await turn();
    expect(seen).toEqual(['a device/a/data', 'b device/b/data', 'a device/a/confirm']);
  });

  it('behavior: flush hands over at once (the broker flushes before it closes)', () => {
    const seen: number[] = [];
    const handOver = new PublishHandOver((_c, _t, payload) => seen.push(payload[0]!));
    handOver.add('a', 't', Buffer.of(7), () => undefined);
    handOver.flush();
    expect(seen).toEqual([7]);
  });

  it('errors: a hand-over that throws does not drop the publishes behind it, and its error is rethrown', () => {
    const seen: number[] = [];
    const handOver = new PublishHandOver((_c, _t, payload) => {
      if (payload[0] === 1) throw new Error('ingest closed');
      seen.push(payload[0]!);
    });
    for (const n of [1, 2, 3]) handOver.add('a', 't', Buffer.of(n), () => undefined);
    expect(() => handOver.flush()).toThrow('ingest closed');
    expect(seen).toEqual([2, 3]);
  });
});
