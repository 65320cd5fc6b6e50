import { connect as connectTcp, createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../backend/broker/embedded-broker.ts';
import { holdReads, PublishHandOver } from '../../backend/broker/publish-hand-over.ts';

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

describe('holdReads (aedes reads a client on only once the ingest is done)', () => {
  it('behavior: counts one more packet in the gate and hands back the release; undefined without the gate', () => {
    let read = 0;
    const gate = {
      _parsingBatch: 2,
      _nextBatch() {
        gate._parsingBatch -= 1;
        if (gate._parsingBatch <= 0) read += 1;
      },
    };
    const release = holdReads(gate)!;
    expect(gate._parsingBatch).toBe(3);
    gate._nextBatch();
    gate._nextBatch();
    expect(read).toBe(0);
    release();
    expect(read).toBe(1);
    expect(holdReads({})).toBeUndefined();
    expect(holdReads({ _parsingBatch: 1 })).toBeUndefined();
  });

  it('behavior: the installed aedes has that gate on its clients (else the broker falls back to holding aedes\'s callback)', async () => {
    const aedes = await Aedes.createBroker();
    const server = createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, { clientId: 'gate', reconnectPeriod: 0 });
    try {
      const aedesClient = (aedes as unknown as { clients: Record<string, object> }).clients['gate']!;
      expect(typeof (aedesClient as unknown as { _parsingBatch: unknown })._parsingBatch).toBe('number');
      expect(typeof (aedesClient as unknown as { _nextBatch: unknown })._nextBatch).toBe('function');
    } finally {
      await client.endAsync();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('behavior: with the dones held, a socket read that arrives later is not handed over until they are called; every PUBACK still goes out first', async () => {
    const id = '351234567890009';
    const handed: string[] = [];
    const dones: Array<() => void> = [];
    const broker = await startEmbeddedBroker({
      credentials: new Map([[id, 'pw']]),
      hooks: {
        onPublish: () => undefined,
        onPublishWithDone: (_device, _topic, payload, done) => {
          handed.push(payload.toString());
          dones.push(done);
        },
        onDenied: () => undefined,
        onAuthFailed: () => undefined,
      },
    });
    const socket = connectTcp(broker.port, '127.0.0.1');
    const received: number[] = [];
    socket.on('data', (chunk: Buffer) => received.push(...chunk));
    const pubacks = () => received.filter((b, i) => b === 0x40 && received[i + 1] === 2).length;
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(connectPacket(id, 'pw'));
      await until(() => received.length >= 4);
      expect(received.slice(0, 4)).toEqual([0x20, 2, 0, 0]);
      received.length = 0;
      // Three publishes in one write: one socket read, all handed over, each acknowledged.
      socket.write(Buffer.concat([1, 2, 3].map((n) => publishPacket(`device/${id}/data`, n, `r${n}`))));
      await until(() => handed.length === 3 && pubacks() === 3);
      expect(handed).toEqual(['r1', 'r2', 'r3']);
      expect(pubacks()).toBe(3);
      // A later read waits while the three are held.
      socket.write(Buffer.concat([4, 5].map((n) => publishPacket(`device/${id}/data`, n, `r${n}`))));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(handed).toEqual(['r1', 'r2', 'r3']);
      // (aedes counts the 'readable' event that announced the later data as one of the packets
      // it waits for, so it reads on after two of the three dones: as it does when its own
      // callback is held, which this hold reproduces; measured the same with the fallback.)
      dones.splice(0).forEach((done) => done());
      await until(() => handed.length === 5 && pubacks() === 5);
      expect(handed).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
      dones.splice(0).forEach((done) => done());
    } finally {
      socket.destroy();
      await broker.close();
    }
  });
});

/** MQTT 3.1.1 CONNECT, clean session, username and password. */
function connectPacket(clientId: string, password: string): Buffer {
  const str = (s: string) => {
    const b = Buffer.from(s);
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  const body = Buffer.concat([str('MQTT'), Buffer.from([4, 0b1100_0010, 0, 60]), str(clientId), str(clientId), str(password)]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

/** MQTT PUBLISH at QoS 1. */
function publishPacket(topic: string, messageId: number, payload: string): Buffer {
  const t = Buffer.from(topic);
  const body = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, Buffer.from([messageId >> 8, messageId & 0xff]), Buffer.from(payload)]);
  return Buffer.concat([Buffer.from([0x32, body.length]), body]);
}
