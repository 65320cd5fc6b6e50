import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { honestPublishAcked as publishAcked } from '../support/honest-publish.ts';
import { startEmbeddedBroker, type BrokerHandle } from '../../backend/broker/embedded-broker.ts';
import { DEFAULT_MAX_PACKET_BYTES } from '../../backend/broker/packet-size-cap.ts';

// The embedded broker's packet cap, probed as an attacker with one device's credentials would:
// Debian's mosquitto_pub with a 5 MB message, and a raw socket sending a 256 MB length header.
const DEVICE = '350000000000001';
const PASSWORD = 'pw-1';
const OTHER = '350000000000002';
const tooLarge: Array<{ deviceId: string | null; cmd: string; length: number }> = [];
let broker: BrokerHandle;

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    credentials: new Map([[DEVICE, PASSWORD], [OTHER, 'pw-2']]),
    hooks: {
      onPublish: () => {},
      onDenied: () => {},
      onAuthFailed: () => {},
      onTooLarge: (deviceId, cmd, length) => tooLarge.push({ deviceId, cmd, length }),
    },
  });
});
afterAll(() => broker.close());

const honestPublishAcked = () => publishAcked(broker.url, { deviceId: OTHER, password: 'pw-2' });

describe('the embedded broker caps the packet size', () => {
  it('has a 4 KiB default, room for ~25 Pebble readings of ~150 B', () => {
    expect(DEFAULT_MAX_PACKET_BYTES).toBe(4096);
  });

  it('refuses a 5 MB publish from mosquitto_pub, closes that connection and counts it', async () => {
    if (!existsSync('/usr/bin/mosquitto_pub')) throw new Error("this test needs Debian's mosquitto clients: apt-get install mosquitto-clients");
    // spawn, not spawnSync: the broker runs in this process and must keep reading.
    const child = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-i', DEVICE, '-u', DEVICE, '-P', PASSWORD, '-t', `device/${DEVICE}/data`, '-q', '1', '-s']);
    child.stdin.on('error', () => {});
    child.stdin.end(Buffer.alloc(5 * 1024 * 1024, 7));
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(status).not.toBe(0);
    expect(tooLarge).toContainEqual({ deviceId: DEVICE, cmd: 'publish', length: expect.any(Number) });
    expect(tooLarge.at(-1)!.length).toBeGreaterThan(5 * 1024 * 1024);
  });

  it('closes a raw socket that announces a 256 MB packet without waiting for its body, and keeps serving others', async () => {
    const before = process.memoryUsage().rss;
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connectTcp(broker.port, '127.0.0.1', () => {
        // CONNECT fixed header, remaining length 268,435,455 (the 4-byte maximum), then a few body bytes.
        socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54]));
      });
      socket.on('close', () => resolve(true));
      socket.on('error', () => {});
    });
    expect(closed).toBe(true);
    expect(tooLarge.at(-1)).toEqual({ deviceId: null, cmd: 'connect', length: 268_435_455 });
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect(await honestPublishAcked()).toBe(true);
  });

  it('lets a packet within the cap through', async () => {
    const count = tooLarge.length;
    expect(await honestPublishAcked()).toBe(true);
    expect(tooLarge.length).toBe(count);
  });
});
