import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type AuthFailureReason, type BrokerHandle } from '../../backend/broker/embedded-broker.ts';
import { parseListenUrl } from '../../backend/broker/listeners.ts';
import { loadOrCreateLocalCa, type IssuedCertificate, type LocalCa } from '../../backend/pki/local-ca.ts';

/**
 * The broker on all four listeners with real sockets: mqtt.js on each, Debian's mosquitto_pub
 * (mosquitto-clients) over mqtts with and without a client certificate, and a plain TCP client
 * on the TLS port.
 */

const A = '351234567890001';
const B = '351234567890002';
const PASSWORDS = new Map([
  [A, 'password-a'],
  [B, 'password-b'],
]);

const MOSQUITTO_MISSING = spawnSync('mosquitto_pub', ['--help']).error !== undefined;
const MOSQUITTO_HINT = 'mosquitto_pub is not installed: apt-get install mosquitto-clients';
if (MOSQUITTO_MISSING && !process.env.CI) console.warn(`broker-listeners: skipping the mosquitto_pub tests: ${MOSQUITTO_HINT}`);
// In CI a missing mosquitto_pub fails (below), so the certificate login is never left untested unnoticed.
const itMosquitto = MOSQUITTO_MISSING && !process.env.CI ? it.skip : it;

const root = mkdtempSync(join(tmpdir(), 'pinbench-listeners-'));
let ca: LocalCa;
let broker: BrokerHandle;
const seen = {
  published: [] as Array<{ deviceId: string; topic: string; payload: string }>,
  denied: [] as Array<{ deviceId: string; topic: string; reason: string }>,
  authFailed: [] as Array<{ clientId: string; reason: AuthFailureReason; detail: string }>,
  tlsFailures: [] as Array<{ remote: string; reason: string }>,
  subscribed: [] as Array<{ deviceId: string; filters: readonly string[] }>,
};
const files: Record<string, string> = {};

function writePems(name: string, issued: IssuedCertificate): void {
  files[`${name}.cert`] = join(root, `${name}.cert.pem`);
  files[`${name}.key`] = join(root, `${name}.key.pem`);
  writeFileSync(files[`${name}.cert`]!, issued.certPem);
  writeFileSync(files[`${name}.key`]!, issued.keyPem, { mode: 0o600 });
}

const urlOf = (protocol: string) => broker.urls.find((url) => url.startsWith(`${protocol}://`))!;
const portOf = (protocol: string) => Number(new URL(urlOf(protocol).replace(/^\w+:/, 'http:')).port);

beforeAll(async () => {
  ca = await loadOrCreateLocalCa(join(root, 'ca'));
  const other = await loadOrCreateLocalCa(join(root, 'other-ca'));
  const server = await ca.issueServerCertificate(['127.0.0.1']);
  writePems('a', await ca.issueClientCertificate(A));
  writePems('foreign-a', await other.issueClientCertificate(A));
  broker = await startEmbeddedBroker({
    listen: ['mqtt://127.0.0.1:0', 'mqtts://127.0.0.1:0', 'ws://127.0.0.1:0', 'wss://127.0.0.1:0'].map(parseListenUrl),
    tls: { caCertPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem },
    credentials: PASSWORDS,
    hooks: {
      onPublish: (deviceId, topic, payload) => seen.published.push({ deviceId, topic, payload: payload.toString() }),
      onDenied: (deviceId, topic, _payload, reason) => seen.denied.push({ deviceId, topic, reason }),
      onAuthFailed: (clientId, reason, detail) => seen.authFailed.push({ clientId, reason, detail }),
      onTlsFailure: (remote, reason) => seen.tlsFailures.push({ remote, reason }),
      onSubscribe: (deviceId, filters) => seen.subscribed.push({ deviceId, filters }),
    },
  });
});

afterAll(async () => {
  await broker?.close();
  rmSync(root, { recursive: true, force: true });
});

function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 5000, ...(url.startsWith('mqtts') || url.startsWith('wss') ? { ca: ca.certPem } : {}), ...options });
}

function mosquittoPub(args: string[]): Promise<{ code: number | null; stderr: string }> {
  if (MOSQUITTO_MISSING) throw new Error(MOSQUITTO_HINT);
  return new Promise((resolve, reject) => {
    const child = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(portOf('mqtts')), '--cafile', ca.certPath, '-q', '1', '-V', 'mqttv311', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(), 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: stderr.trim() });
    });
  });
}

const lastAuthFailure = () => seen.authFailed.at(-1);

describe('embedded broker on mqtt, mqtts, ws and wss', () => {
  it('behavior: every listener has its URL with its real port; url is the mqtt one', () => {
    expect(broker.urls).toHaveLength(4);
    expect(broker.urls[0]).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(broker.urls[1]).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(broker.urls[2]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    expect(broker.urls[3]).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    expect(broker.url).toBe(broker.urls[0]);
    expect(broker.port).toBe(portOf('mqtt'));
    expect(new Set(broker.urls.map((url) => url.replace(/^.*:(\d+).*$/, '$1'))).size).toBe(4);
  });

  it('behavior: mqtt.js logs in by password on each listener as <IMEI> and nrf-<IMEI>; publishes reach onPublish with the IMEI', async () => {
    for (const url of broker.urls) {
      for (const clientId of [A, `nrf-${A}`]) {
        // The username may be the device id or the client id.
        const client = await connect(url, { clientId, username: clientId, password: PASSWORDS.get(A) });
        await client.publishAsync(`device/${A}/data`, `${url} ${clientId}`, { qos: 1 });
        await client.endAsync();
        expect(seen.published.at(-1)).toEqual({ deviceId: A, topic: `device/${A}/data`, payload: `${url} ${clientId}` });
      }
    }
    const client = await connect(urlOf('mqtt'), { clientId: `nrf-${A}`, username: A, password: PASSWORDS.get(A) });
    await client.endAsync();
  });

  it('behavior: mqtt.js logs in on wss by its client certificate alone (the socket under the WebSocket is read)', async () => {
    const client = await connect(urlOf('wss'), { clientId: `nrf-${A}`, cert: readFileSync(files['a.cert']!), key: readFileSync(files['a.key']!) });
    await client.publishAsync(`device/${A}/data`, 'wss by certificate', { qos: 1 });
    await client.endAsync();
    expect(seen.published.at(-1)).toEqual({ deviceId: A, topic: `device/${A}/data`, payload: 'wss by certificate' });
  });

  itMosquitto('behavior: mosquitto_pub over mqtts with the device\'s certificate and no password is accepted', async () => {
    const result = await mosquittoPub(['--cert', files['a.cert']!, '--key', files['a.key']!, '-i', A, '-t', `device/${A}/data`, '-m', 'mosquitto by certificate']);
    expect(result).toEqual({ code: 0, stderr: '' });
    expect(seen.published.at(-1)).toEqual({ deviceId: A, topic: `device/${A}/data`, payload: 'mosquitto by certificate' });
  });

  itMosquitto('errors: a certificate for device A refuses a login as B, even with B\'s password (reason certificate)', async () => {
    const result = await mosquittoPub(['--cert', files['a.cert']!, '--key', files['a.key']!, '-i', B, '-u', B, '-P', PASSWORDS.get(B)!, '-t', `device/${B}/data`, '-m', 'lent']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('not authori');
    expect(lastAuthFailure()).toEqual({ clientId: B, reason: 'certificate', detail: `certificate is for device ${A}, not ${B}` });
  });

  itMosquitto('errors: a certificate from another CA is refused at login (reason certificate), not at the handshake', async () => {
    const failuresBefore = broker.tlsFailures();
    const result = await mosquittoPub(['--cert', files['foreign-a.cert']!, '--key', files['foreign-a.key']!, '-i', A, '-t', `device/${A}/data`, '-m', 'foreign']);
    expect(result.code).not.toBe(0);
    expect(lastAuthFailure()).toEqual({ clientId: A, reason: 'certificate', detail: "certificate not issued by this run's CA" });
    expect(broker.tlsFailures()).toBe(failuresBefore);
  });

  itMosquitto('errors: over mqtts without a certificate, a wrong password is reason password and an unknown id unknown-device', async () => {
    const wrong = await mosquittoPub(['-i', `nrf-${A}`, '-u', A, '-P', 'not-the-password', '-t', `device/${A}/data`, '-m', 'x']);
    expect(wrong.code).not.toBe(0);
    expect(lastAuthFailure()).toEqual({ clientId: `nrf-${A}`, reason: 'password', detail: 'wrong password' });

    const unknown = await mosquittoPub(['-i', '359999999999999', '-u', '359999999999999', '-P', 'x', '-t', 'device/359999999999999/data', '-m', 'x']);
    expect(unknown.code).not.toBe(0);
    expect(lastAuthFailure()).toEqual({ clientId: '359999999999999', reason: 'unknown-device', detail: 'no device 359999999999999 is provisioned' });

    const noPassword = await mosquittoPub(['-i', A, '-u', A, '-t', `device/${A}/data`, '-m', 'x']);
    expect(noPassword.code).not.toBe(0);
    expect(lastAuthFailure()).toEqual({ clientId: A, reason: 'password', detail: 'no password' });
  });

  it('errors: mqtt.js with a username that is neither the device id nor the client id is refused (reason password)', async () => {
    await expect(connect(urlOf('ws'), { clientId: `nrf-${A}`, username: B, password: PASSWORDS.get(B) })).rejects.toThrow(/Bad username or password/);
    expect(lastAuthFailure()).toEqual({ clientId: `nrf-${A}`, reason: 'password', detail: `username ${B} is neither ${A} nor nrf-${A}` });
  });

  it('errors: a plain TCP client on the mqtts port is a counted TLS failure naming its address', async () => {
    const before = broker.tlsFailures();
    const socket = connectTcp({ host: '127.0.0.1', port: portOf('mqtts') });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const localPort = socket.localPort;
    // An MQTT 3.1.1 CONNECT, as a client given mqtt:// instead of mqtts:// sends it.
    socket.write(Buffer.from([0x10, 0x10, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x04, 0x74, 0x65, 0x73, 0x74]));
    socket.on('error', () => undefined);
    await expect.poll(() => broker.tlsFailures()).toBe(before + 1);
    socket.destroy();
    expect(seen.tlsFailures.at(-1)).toEqual({
      remote: `127.0.0.1:${localPort}`,
      reason: expect.stringMatching(new RegExp(`^TLS handshake from 127\\.0\\.0\\.1:${localPort} failed: [a-z ]+; connect with mqtts:// and the CA file$`)),
    });
  });

  it('behavior: a device publishing on another device\'s topic is refused by the ACL under its device id', async () => {
    const client = await connect(urlOf('mqtts'), { clientId: `nrf-${A}`, username: `nrf-${A}`, password: PASSWORDS.get(A) });
    await client.publishAsync(`device/${B}/data`, 'not mine', { qos: 1 });
    await client.endAsync();
    expect(seen.denied.at(-1)).toEqual({ deviceId: A, topic: `device/${B}/data`, reason: 'acl.publish' });
    expect(seen.published.some((p) => p.payload === 'not mine')).toBe(false);
  });

  it('behavior: deliver(IMEI) and isConnected(IMEI) find a device connected as nrf-<IMEI>, whose subscription is reported under the IMEI', async () => {
    const client = await connect(urlOf('ws'), { clientId: `nrf-${B}`, username: B, password: PASSWORDS.get(B) });
    const received = new Promise<string>((resolve) => client.once('message', (topic, payload) => resolve(`${topic} ${payload.toString()}`)));
    await client.subscribeAsync(`backend/${B}/status`, { qos: 1 });
    await expect.poll(() => seen.subscribed.at(-1)).toEqual({ deviceId: B, filters: [`backend/${B}/status`] });
    await expect(broker.deliver(B, `backend/${B}/status`, Buffer.from('{"status":"ok"}'))).resolves.toBe(true);
    await expect(received).resolves.toBe(`backend/${B}/status {"status":"ok"}`);
    expect(broker.isConnected(B)).toBe(true);
    expect(broker.isConnected(`nrf-${B}`)).toBe(false);
    await client.endAsync();
    await expect.poll(() => broker.isConnected(B)).toBe(false);
    await expect(broker.deliver(B, `backend/${B}/status`, Buffer.from('gone'))).resolves.toBe(false);
  });

  it('behavior: a device connecting under its other client id takes over its older connection [MQTT-3.1.4-2]', async () => {
    const older = await connect(urlOf('mqtt'), { clientId: A, username: A, password: PASSWORDS.get(A) });
    const olderClosed = new Promise<void>((resolve) => older.once('close', () => resolve()));
    const newer = await connect(urlOf('mqtts'), { clientId: `nrf-${A}`, username: A, password: PASSWORDS.get(A) });
    await olderClosed;
    await newer.subscribeAsync(`backend/${A}/config`, { qos: 1 });
    const received = new Promise<string>((resolve) => newer.once('message', (_topic, payload) => resolve(payload.toString())));
    await expect(broker.deliver(A, `backend/${A}/config`, Buffer.from('to the newer'))).resolves.toBe(true);
    await expect(received).resolves.toBe('to the newer');
    older.end(true);
    await newer.endAsync();
  });
});

describe('listener URLs and listening errors', () => {
  it('args: parseListenUrl reads the four schemes, IPv6 in brackets, and gives ws/wss the /mqtt path by default', () => {
    expect(parseListenUrl('mqtt://127.0.0.1:1883')).toEqual({ protocol: 'mqtt', host: '127.0.0.1', port: 1883 });
    expect(parseListenUrl('mqtts://0.0.0.0:0')).toEqual({ protocol: 'mqtts', host: '0.0.0.0', port: 0 });
    expect(parseListenUrl('ws://localhost:8080')).toEqual({ protocol: 'ws', host: 'localhost', port: 8080, path: '/mqtt' });
    expect(parseListenUrl('wss://[::1]:443/ws')).toEqual({ protocol: 'wss', host: '::1', port: 443, path: '/ws' });
  });

  it('errors: parseListenUrl says what is wrong and gives an example (LISTEN_URL_INVALID)', () => {
    const example = 'e.g. --listen mqtts://127.0.0.1:8883 or --listen ws://0.0.0.0:8080/mqtt';
    const cases: Array<[string, string]> = [
      ['127.0.0.1:1883', 'not a URL (scheme://host:port)'],
      ['http://127.0.0.1:80', 'unknown scheme "http://"; use mqtt://, mqtts://, ws:// or wss://'],
      ['mqtt://127.0.0.1', 'no port; give one (0 picks a free port)'],
      ['mqtt://127.0.0.1:70000', 'port "70000" is not a number from 0 to 65535'],
      ['mqtt://:1883', 'no host; give an address to bind (127.0.0.1 for this machine only, 0.0.0.0 for every interface)'],
      ['mqtt://::1:1883', 'an IPv6 address goes in brackets, as in mqtt://[::1]:1883'],
      ['mqtts://127.0.0.1:8883/mqtt', 'mqtts:// takes no path ("/mqtt"); a path is for ws:// and wss://'],
      ['ws://user@127.0.0.1:80', 'a listener URL takes no user, query or fragment'],
      ['mqtt://bad_host:1883', '"bad_host" is not a host name or IP address'],
    ];
    for (const [raw, why] of cases) {
      expect(() => parseListenUrl(raw), raw).toThrow(expect.objectContaining({ code: 'LISTEN_URL_INVALID', message: `listener "${raw}": ${why}; ${example}` }));
    }
  });

  const quietHooks = { onPublish: () => undefined, onDenied: () => undefined, onAuthFailed: () => undefined };

  it('errors: an mqtts or wss listener without tls is BROKER_TLS_REQUIRED', async () => {
    await expect(startEmbeddedBroker({ listen: [parseListenUrl('wss://127.0.0.1:0')], credentials: PASSWORDS, hooks: quietHooks })).rejects.toMatchObject({
      code: 'BROKER_TLS_REQUIRED',
      message: 'listener wss://127.0.0.1:0/mqtt needs a server certificate and CA; pass the broker `tls` issued by the local CA, or listen on mqtt:// or ws://',
    });
  });

  it('errors: a port in use or a host not on this machine is BROKER_LISTEN_FAILED naming the listener, and nothing stays listening', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const port = (taken.address() as AddressInfo).port;
    // A port that was free a moment ago, for the listener that does start.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const wsPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    try {
      await expect(
        startEmbeddedBroker({ listen: [`ws://127.0.0.1:${wsPort}`, `mqtt://127.0.0.1:${port}`].map(parseListenUrl), credentials: PASSWORDS, hooks: quietHooks }),
      ).rejects.toMatchObject({
        code: 'BROKER_LISTEN_FAILED',
        message: `cannot listen on mqtt://127.0.0.1:${port}: port ${port} is in use (EADDRINUSE); choose another port in mqtt://127.0.0.1:${port} (0 picks a free one)`,
      });
      // The ws listener that had started is closed again: its port is free.
      await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(wsPort, '127.0.0.1', () => resolve()));
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      // The default listener (no `listen`) keeps --broker-port's advice.
      await expect(startEmbeddedBroker({ port, credentials: PASSWORDS, hooks: quietHooks })).rejects.toMatchObject({
        code: 'BROKER_LISTEN_FAILED',
        message: `cannot listen on mqtt://127.0.0.1:${port}: port ${port} is in use (EADDRINUSE); choose another --broker-port or omit it for a free port`,
      });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
    await expect(startEmbeddedBroker({ listen: [parseListenUrl('mqtt://192.0.2.1:0')], credentials: PASSWORDS, hooks: quietHooks })).rejects.toMatchObject({
      code: 'BROKER_LISTEN_FAILED',
      message: "cannot listen on mqtt://192.0.2.1:0: 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL); listen on 127.0.0.1, 0.0.0.0 or one of this machine's addresses",
    });
  });
});
