import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HandshakeLimit } from '../../sim/mqtt/handshake-limit.ts';
import { createMqttConnector } from '../../sim/mqtt/mqtt-connector.ts';

/** A promise with its resolve and reject in hand. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('handshake limit', () => {
  it('behavior: runs at most `limit` handshakes at once and starts the waiting ones in call order as slots free up', async () => {
    const limit = new HandshakeLimit(2);
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => deferred<number>());
    const results = gates.map((gate, i) =>
      limit.run(() => {
        started.push(i);
        return gate.promise;
      }),
    );
    await turn();
    expect(started).toEqual([0, 1]);
    expect(limit.counts()).toEqual({ running: 2, waiting: 3 });
    gates[1]!.resolve(1);
    await turn();
    expect(started).toEqual([0, 1, 2]);
    // A failed handshake frees its slot too, and its caller gets the error.
    gates[0]!.reject(new Error('read ECONNRESET'));
    await expect(results[0]).rejects.toThrow('read ECONNRESET');
    await turn();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const i of [2, 3]) gates[i]!.resolve(i);
    await turn();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[4]!.resolve(4);
    expect(await Promise.all(results.slice(1))).toEqual([1, 2, 3, 4]);
    expect(limit.counts()).toEqual({ running: 0, waiting: 0 });
  });

  it('errors: refuses a limit that is not a whole number of at least 1', () => {
    expect(() => new HandshakeLimit(0)).toThrow('handshake limit must be a whole number ≥ 1, got 0');
    expect(() => new HandshakeLimit(1.5)).toThrow('handshake limit must be a whole number ≥ 1, got 1.5');
  });
});

describe('mqtt.js connector: handshakes at once', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('behavior: opens no more sockets than `handshakesAtOnce` until a handshake ends', async () => {
    // A server that accepts TCP and never answers CONNECT: every handshake stays under way.
    const sockets: Socket[] = [];
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const connector = createMqttConnector({ target: () => ({ url: `mqtt://127.0.0.1:${port}` }), handshakesAtOnce: 3, connectTimeoutMs: 60_000 });
    const attempts = Array.from({ length: 6 }, (_, i) => connector.connect({ clientId: `dev-${i}`, username: `dev-${i}`, password: 'x' }).catch((error: Error) => error));
    await expect.poll(() => sockets.length).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sockets.length).toBe(3);
    // The broker drops one: that handshake fails and the next socket opens.
    sockets[0]!.destroy();
    await expect.poll(() => sockets.length).toBe(4);
    for (const socket of sockets) socket.destroy();
    await expect.poll(() => sockets.length).toBe(6);
    for (const socket of sockets) socket.destroy();
    const outcomes = await Promise.all(attempts);
    expect(outcomes.every((outcome) => outcome instanceof Error)).toBe(true);
  });
});
