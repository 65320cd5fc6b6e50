import { connect as connectTcp, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { honestPublishAcked as publishAcked } from '../support/honest-publish.ts';
import { startEmbeddedBroker, type BrokerHandle } from '../../backend/broker/embedded-broker.ts';

// Malformed MQTT from a raw socket (issue 18): each probe is answered by closing that one
// connection, is counted when it is a protocol violation, and leaves the broker serving others.
const DEVICE = '350000000000001';
const PASSWORD = 'pw-1';
const OTHER = '350000000000002';
const violations: Array<{ deviceId: string | null; detail: string }> = [];
const refusedPublishes: Array<{ topic: string; payload: string } | undefined> = [];
const tooLarge: Array<{ deviceId: string | null; cmd: string; length: number }> = [];
const refusedLogins: string[] = [];
let broker: BrokerHandle;

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    credentials: new Map([[DEVICE, PASSWORD], [OTHER, 'pw-2']]),
    hooks: {
      onPublish: () => {},
      onDenied: () => {},
      onAuthFailed: (_clientId, reason) => refusedLogins.push(reason),
      onProtocolViolation: (deviceId, detail, publish) => {
        violations.push({ deviceId, detail });
        refusedPublishes.push(publish === undefined ? undefined : { topic: publish.topic, payload: publish.payload.toString() });
      },
      onTooLarge: (deviceId, cmd, length) => tooLarge.push({ deviceId, cmd, length }),
    },
  });
});
afterAll(() => broker.close());

const str = (s: string) => {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
const packet = (header: number, body: Buffer) => Buffer.concat([Buffer.from([header, body.length]), body]); // bodies here are < 128 B
/** QoS 0 PUBLISH: the broker checks the topic itself (wildcards are refused [MQTT-3.3.2-2]). */
const publishPacket = (topic: string, payload: Buffer) => packet(0x30, Buffer.concat([str(topic), payload]));
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
    // Read (and drop) what the broker answers: a paused socket never sees the broker's FIN.
    socket.resume();
    socket.on('close', () => resolve('closed by broker'));
  });
}

const honestPublishAcked = () => publishAcked(broker.url, { deviceId: OTHER, password: 'pw-2' });

describe('malformed MQTT from a raw socket', () => {
  it('a truncated CONNECT is held until the socket ends, and the broker keeps serving meanwhile', async () => {
    const whole = connectPacket(DEVICE, DEVICE, PASSWORD);
    const pending = rawExchange([whole.subarray(0, 10)], 300);
    expect(await honestPublishAcked()).toBe(true);
    expect(await pending).toBe('ended by us');
  });

  it('a PUBLISH to a wildcard topic closes that connection and is counted as a protocol violation of that device', async () => {
    const before = violations.length;
    const outcome = await rawExchange([connectPacket(DEVICE, DEVICE, PASSWORD), publishPacket(`device/${DEVICE}/#`, Buffer.from('x'))], 5000);
    expect(outcome).toBe('closed by broker');
    expect(violations.slice(before)).toEqual([{ deviceId: DEVICE, detail: '# is not allowed in PUBLISH' }]);
    // The refused PUBLISH as read, for its row in run.db.
    expect(refusedPublishes.at(-1)).toEqual({ topic: `device/${DEVICE}/#`, payload: 'x' });
    expect(await honestPublishAcked()).toBe(true);
  });

  it('the same from the mqtt package, its topic check bypassed by writing the packet to its socket', async () => {
    const before = violations.length;
    const client = await mqtt.connectAsync(broker.url, { clientId: `nrf-${DEVICE}`, username: DEVICE, password: PASSWORD, reconnectPeriod: 0 });
    // client.publish('device/…/+') would throw before sending: the bytes go on the wire directly.
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.stream.write(publishPacket(`device/+/data`, Buffer.alloc(60, 1)));
    await closed;
    await client.endAsync(true);
    expect(violations.slice(before)).toEqual([{ deviceId: DEVICE, detail: '+ is not allowed in PUBLISH' }]);
  });

  it('a wrong password is a refused login, not a protocol violation', async () => {
    const before = violations.length;
    await expect(mqtt.connectAsync(broker.url, { clientId: DEVICE, username: DEVICE, password: 'wrong', reconnectPeriod: 0 })).rejects.toThrow(/Bad username or password/);
    expect(refusedLogins.at(-1)).toBe('password');
    expect(violations.length).toBe(before);
  });

  it('a 256 MB PUBLISH header after a good login is refused before its body and counted against the device', async () => {
    // PUBLISH fixed header with the largest remaining length (268,435,455), then the start of a topic.
    const header = Buffer.from([0x32, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x10]);
    const outcome = await rawExchange([connectPacket(DEVICE, DEVICE, PASSWORD), header], 5000);
    expect(outcome).toBe('closed by broker');
    expect(tooLarge.at(-1)).toEqual({ deviceId: DEVICE, cmd: 'publish', length: 268_435_455 });
    expect(await honestPublishAcked()).toBe(true);
  });

  it('a CONNECT flood and half-open connections leave the broker serving a device during and after', async () => {
    const sockets: Socket[] = [];
    const open = () =>
      new Promise<Socket>((resolve) => {
        const socket = connectTcp(broker.port, '127.0.0.1', () => resolve(socket));
        socket.on('error', () => {});
        sockets.push(socket);
      });
    const refusedBefore = refusedLogins.length;
    const violationsBefore = violations.length;
    // 100 half-open connections that never send a byte (aedes holds each until its connect timeout),
    // 100 that send a CONNECT with a wrong password as fast as they open, and 100 good logins of
    // one device, each taking over the one before.
    const halfOpen = await Promise.all(Array.from({ length: 100 }, open));
    const flood = await Promise.all(Array.from({ length: 200 }, open));
    flood.forEach((socket, k) => socket.write(k % 2 === 0 ? connectPacket(DEVICE, DEVICE, 'wrong') : connectPacket(DEVICE, DEVICE, PASSWORD)));
    expect(await honestPublishAcked()).toBe(true);
    // Every wrong password is answered, a refused login each, and none is a protocol violation.
    await waitFor(() => refusedLogins.length - refusedBefore >= 100);
    expect(refusedLogins.length - refusedBefore).toBe(100);
    expect(halfOpen.every((socket) => !socket.destroyed)).toBe(true);
    expect(await honestPublishAcked()).toBe(true);
    for (const socket of sockets) socket.destroy();
    expect(await honestPublishAcked()).toBe(true);
    expect(violations.length).toBe(violationsBefore);
  });
});

/** Polls `done` each 20 ms, up to 5 s (a guard, not a timing assertion: the test checks what follows). */
async function waitFor(done: () => boolean): Promise<void> {
  for (let k = 0; k < 250 && !done(); k++) await new Promise((r) => setTimeout(r, 20));
}
