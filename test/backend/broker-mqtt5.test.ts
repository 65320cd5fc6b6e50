import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type AuthFailureReason, type BrokerHandle } from '../../backend/broker/embedded-broker.ts';
import { MQTT5_REASON } from '../../backend/broker/mqtt5-refusal.ts';

// The embedded aedes speaks MQTT 3.1 and 3.1.1 only (issue 18): an MQTT 5 client is refused with
// a v5 CONNACK 132 whose reason string says so and where v5 devices can be tested.
const DEVICE = '350000000000001';
const PASSWORD = 'pw-1';
const refused: Array<{ clientId: string; reason: AuthFailureReason }> = [];
const violations: string[] = [];
let broker: BrokerHandle;

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    credentials: new Map([[DEVICE, PASSWORD]]),
    hooks: {
      onPublish: () => {},
      onDenied: () => {},
      onAuthFailed: (clientId, reason) => refused.push({ clientId, reason }),
      onProtocolViolation: (_deviceId, detail) => violations.push(detail),
    },
  });
});
afterAll(() => broker.close());

describe('an MQTT 5 client on the embedded broker', () => {
  it('gets CONNACK 132 with a reason string naming MQTT 3.1.1 and the external broker (mqtt package, protocolVersion 5)', async () => {
    const client = mqtt.connect(broker.url, { clientId: DEVICE, username: DEVICE, password: PASSWORD, protocolVersion: 5, reconnectPeriod: 0 });
    const connack = await new Promise<mqtt.IConnackPacket>((resolve) => client.on('packetreceive', (packet) => packet.cmd === 'connack' && resolve(packet)));
    await client.endAsync(true);
    expect(connack.reasonCode).toBe(132);
    expect(connack.properties?.reasonString).toBe(MQTT5_REASON);
    expect(MQTT5_REASON).toContain('MQTT 3.1 and 3.1.1 only');
    expect(MQTT5_REASON).toContain('broker.url');
    expect(refused.at(-1)).toEqual({ clientId: DEVICE, reason: 'protocol-version' });
    expect(violations).toEqual([]);
  });

  it('is refused for mosquitto_pub -V mqttv5 (status 132), which still publishes with -V mqttv311', async () => {
    if (!existsSync('/usr/bin/mosquitto_pub')) throw new Error("this test needs Debian's mosquitto clients: apt-get install mosquitto-clients");
    const pub = async (version: string) => {
      // spawn, not spawnSync: the broker runs in this process and must keep reading.
      const child = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-V', version, '-i', DEVICE, '-u', DEVICE, '-P', PASSWORD, '-t', `device/${DEVICE}/data`, '-q', '1', '-m', 'x']);
      let output = '';
      child.stderr.on('data', (chunk) => (output += chunk));
      const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      return { status, output };
    };
    const v5 = await pub('mqttv5');
    expect(v5.status).toBe(132);
    expect(v5.output).toContain('Unsupported Protocol Version');
    expect(refused.at(-1)).toEqual({ clientId: DEVICE, reason: 'protocol-version' });
    expect((await pub('mqttv311')).status).toBe(0);
    expect(violations).toEqual([]);
  });
});
