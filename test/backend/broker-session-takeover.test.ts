import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type BrokerHandle } from '../../backend/broker/embedded-broker.ts';
import { SessionTakeovers } from '../../backend/broker/session-takeovers.ts';

// Session takeover (issue 18), probed as an attacker holding one device's login would: Debian's
// mosquitto_sub stays connected as the device, and mosquitto_pub logs in with the same client
// id three times. Each login takes the session over, as MQTT says [MQTT-3.1.4-2]; each is
// counted for the device, and three within a minute flag it.
const DEVICE = '350000000000001';
const PASSWORD = 'pw-1';
const takeovers = new SessionTakeovers();
const published: string[] = [];
let subscribes = 0;
let broker: BrokerHandle;

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    credentials: new Map([[DEVICE, PASSWORD]]),
    hooks: {
      onPublish: (_deviceId, _topic, payload) => published.push(payload.toString()),
      onDenied: () => {},
      onAuthFailed: () => {},
      onSubscribe: () => (subscribes += 1),
      onTakeover: (deviceId) => takeovers.record(deviceId, Date.now()),
    },
  });
});
afterAll(() => broker.close());

const mosquittoArgs = (clientId: string) => ['-h', '127.0.0.1', '-p', String(broker.port), '-i', clientId, '-u', DEVICE, '-P', PASSWORD];

/** Polls `done` each 20 ms, up to 10 s (a guard, not a timing assertion: the test checks what follows). */
async function waitFor(done: () => boolean): Promise<void> {
  for (let k = 0; k < 500 && !done(); k++) await new Promise((r) => setTimeout(r, 20));
}

describe('a second login with a device client id', () => {
  it('takes the session over, and each takeover is counted for the device, which is flagged at three', async () => {
    if (!existsSync('/usr/bin/mosquitto_sub')) throw new Error("this test needs Debian's mosquitto clients: apt-get install mosquitto-clients");
    // spawn, not spawnSync: the broker runs in this process and must keep reading.
    const sub = spawn('mosquitto_sub', [...mosquittoArgs(DEVICE), '-t', `backend/${DEVICE}/#`, '-q', '1']);
    try {
      for (let k = 1; k <= 3; k++) {
        // mosquitto_sub reconnects after each takeover and subscribes again; the next login
        // waits for that subscription, so that it takes over mosquitto_sub's session again.
        await waitFor(() => subscribes >= k);
        expect(subscribes).toBeGreaterThanOrEqual(k);
        const pub = spawn('mosquitto_pub', [...mosquittoArgs(`nrf-${DEVICE}`), '-t', `device/${DEVICE}/data`, '-q', '1', '-m', `takeover ${k}`]);
        expect(await new Promise<number | null>((resolve) => pub.on('close', (code) => resolve(code)))).toBe(0);
      }
    } finally {
      sub.kill();
    }
    expect(published).toEqual(['takeover 1', 'takeover 2', 'takeover 3']);
    const [device] = takeovers.byDevice();
    expect(device).toMatchObject({ deviceId: DEVICE, flagged: true });
    // Three by mosquitto_pub; mosquitto_sub's own reconnects take over too when they land while a publisher is still on.
    expect(device!.count).toBeGreaterThanOrEqual(3);
  });
});
