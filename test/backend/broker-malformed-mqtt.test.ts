import { connect as connectTcp, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type BrokerHandle } from '../../backend/broker/embedded-broker.ts';

// Malformed MQTT from a raw socket (issue 18): each probe is answered by closing that one
// connection, is counted when it is a protocol violation, and leaves the broker serving others.
const DEVICE = '350000000000001';
const PASSWORD = 'pw-1';
const OTHER = '350000000000002';
const violations: Array<{ deviceId: string | null; detail: string }> = [];
let broker: BrokerHandle;

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    credentials: new Map([[DEVICE, PASSWORD], [OTHER, 'pw-2']]),
    hooks: { onPublish: () => {}, onDenied: () => {}, onAuthFailed: () => {}, onProtocolViolation: (deviceId, detail) => violations.push({ deviceId, detail }) },
  });
});
afterAll(() => broker.close());

const str = (s: string) => {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
const packet = (header: number, body: Buffer) => Buffer.concat([Buffer.from([header, body.length]), body]); // bodies here are < 128 B
/** MQTT 3.1.1 CONNECT, clean session, username and password, keepalive 60 s. */
const connectPacket = (clientId: string, username: string, password: string) =>
  packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2, 0, 60]), str(clientId), str(username), str(password)]));

/** Opens a raw socket, writes `bytes`, and resolves once the broker closed it (or after `endAfterMs` by our hand). */
function rawExchange(bytes: Buffer[], endAfterMs?: number): Promise<'closed by broker' | 'ended by us'> {
  return new Promise((resolve) => {
    const socket: Socket = connectTcp(broker.port, '127.0.0.1', async () => {
      for (const b of bytes) {
        socket.write(b);
        await new Promise((r) => setTimeout(r, 20));
      }
      if (endAfterMs !== undefined) setTimeout(() => (resolve('ended by us'), socket.destroy()), endAfterMs);
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve('closed by broker'));
  });
}

async function honestPublishAcked(): Promise<boolean> {
  const client = await mqtt.connectAsync(broker.url, { clientId: OTHER, username: OTHER, password: 'pw-2', reconnectPeriod: 0 });
  try {
    await client.publishAsync(`device/${OTHER}/data`, Buffer.alloc(150, 1), { qos: 1 });
    return true;
  } finally {
    await client.endAsync();
  }
}

describe('malformed MQTT from a raw socket', () => {
  it('a truncated CONNECT is held until the socket ends, and the broker keeps serving meanwhile', async () => {
    const whole = connectPacket(DEVICE, DEVICE, PASSWORD);
    const pending = rawExchange([whole.subarray(0, 10)], 300);
    expect(await honestPublishAcked()).toBe(true);
    expect(await pending).toBe('ended by us');
  });

});
