import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type BrokerHandle } from '../../backend/broker/embedded-broker.ts';

/** The embedded broker's restart (a scenario's broker.restart) with real sockets and mqtt.js. */

const A = '351234567890001';
const published: string[] = [];
let broker: BrokerHandle | undefined;

afterAll(async () => {
  await broker?.close();
});

const connect = (url: string) => mqtt.connectAsync(url, { clientId: A, username: A, password: 'pw', reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 3000 });

describe('embedded broker outage', () => {
  it('behavior: takeDown drops every connection and refuses new ones; bringUp listens on the same port, and publishes acknowledged before it still reached the hook', async () => {
    broker = await startEmbeddedBroker({
      credentials: new Map([[A, 'pw']]),
      hooks: {
        onPublish: (_id, _topic, payload) => void published.push(payload.toString()),
        onDenied: () => undefined,
        onAuthFailed: () => undefined,
      },
    });
    const url = broker.url;
    const client = await connect(url);
    await client.publishAsync(`device/${A}/data`, 'before', { qos: 1 });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    expect(await broker.outage.takeDown()).toBe(1);
    await closed;
    await expect(connect(url)).rejects.toThrow(/ECONNREFUSED/);
    await broker.outage.bringUp();
    expect(broker.url).toBe(url);
    const again = await connect(url);
    await again.publishAsync(`device/${A}/data`, 'after', { qos: 1 });
    await again.endAsync();
    expect(published).toEqual(['before', 'after']);
  });
});
