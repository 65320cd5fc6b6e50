import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/ports.ts';
import { startEmbeddedBroker, type BrokerHandle } from '../../backend/broker/embedded-broker.ts';
import { DEFAULT_TOPICS, createVerifier, decodeBinPackage, decodeSensorData } from '../../protocol/index.ts';
import { readCredentialsFile, writeCredentialsFile } from '../../sim/attach/credentials-file.ts';
import { readKeyFile } from '../../sim/bridge/key-file.ts';
import { startSerialBridge } from '../../sim/bridge/serial-bridge.ts';
import { parseBridgeArgs, runBridgeCommand } from '../../sim/cli/bridge-command.ts';

const IMEI = '351756051523999';
const PASSWORD = 'bridge-test-password';
const FIXTURE = new URL('../fixtures/nmea/berlin-ride.nmea', import.meta.url);
const FAST_BACKOFF = { initialMs: 50, maxMs: 200 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The recording, one array of lines (with their CRLF) per 1 Hz epoch; an epoch starts with its RMC. */
function fixtureEpochs(): Buffer[][] {
  const bytes = readFileSync(FIXTURE);
  const epochs: Buffer[][] = [];
  let from = 0;
  while (from < bytes.length) {
    const end = bytes.indexOf('\r\n', from) + 2;
    const line = bytes.subarray(from, end);
    if (line.toString('latin1').startsWith('$GNRMC') || epochs.length === 0) epochs.push([]);
    epochs.at(-1)!.push(line);
    from = end;
  }
  return epochs;
}

/** The fixes of valid GGA/RMC lines, worked out here without sim/bridge: "lat,lon" × 1e7. */
function fixesOf(epochs: Buffer[][]): Set<string> {
  const fixes = new Set<string>();
  const deg = (text: string, digits: number, negative: boolean) => {
    const value = Number(text.slice(0, digits)) + Number(text.slice(digits)) / 60;
    return Math.round(value * 1e7) * (negative ? -1 : 1);
  };
  for (const line of epochs.flat().map((b) => b.toString('latin1').trimEnd())) {
    const m = /^\$(GN(?:RMC|GGA),[^*]*)\*([0-9A-F]{2})$/.exec(line);
    if (m === null) continue;
    let x = 0;
    for (const c of m[1]!) x ^= c.charCodeAt(0);
    if (x !== parseInt(m[2]!, 16)) continue;
    const f = m[1]!.split(',');
    const [lat, ns, lon, ew] = f[0] === 'GNRMC' ? f.slice(3, 7) : f.slice(2, 6);
    if (f[0] === 'GNRMC' ? f[2] !== 'A' : f[6] === '0') continue;
    fixes.add(`${deg(lat!, 2, ns === 'S')},${deg(lon!, 3, ew === 'W')}`);
  }
  return fixes;
}

class Socat {
  private child: ChildProcess | undefined;
  constructor(readonly dir: string) {}
  get gps() {
    return join(this.dir, 'gps');
  }
  get feed() {
    return join(this.dir, 'feed');
  }

  async start(): Promise<void> {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.gps}`, `pty,raw,echo=0,link=${this.feed}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await until(`socat's ptys (${log})`, () => existsSync(this.gps) && existsSync(this.feed) && log.includes('starting data transfer loop'));
  }

  /** The port vanishes, as when a USB adapter is pulled. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** Writes like a receiver: one epoch at a time, `gapMs` apart; async, the bridge runs in this process. */
  async play(epochs: Buffer[][], gapMs: number): Promise<void> {
    const handle = await open(this.feed, 'w');
    try {
      for (const epoch of epochs) {
        await handle.write(Buffer.concat(epoch));
        await sleep(gapMs);
      }
    } finally {
      await handle.close();
    }
  }
}

function recordingLogger() {
  const lines: string[] = [];
  const logger: Logger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), debug: () => {} };
  return { logger, lines };
}

interface Received {
  deviceId: string;
  topic: string;
  payload: Buffer;
}

/** Refused logins and publishes, by client id and topic. */
const refusals: string[] = [];

async function startBroker(received: Received[], port?: number): Promise<BrokerHandle> {
  return startEmbeddedBroker({
    ...(port === undefined ? {} : { port }),
    credentials: new Map([[IMEI, PASSWORD]]),
    hooks: {
      onPublish: (deviceId, topic, payload) => received.push({ deviceId, topic, payload: Buffer.from(payload) }),
      onDenied: (deviceId, topic) => void refusals.push(`acl ${deviceId} ${topic}`),
      onAuthFailed: (clientId) => void refusals.push(`login ${clientId}`),
    },
  });
}

function deviceFiles(dir: string, brokerUrl: string, password = PASSWORD) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPath = join(dir, 'device.pem');
  writeFileSync(keyPath, privateKey.export({ type: 'sec1', format: 'pem' }));
  const jwk = publicKey.export({ format: 'jwk' });
  const rawPublicKey = new Uint8Array(Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]));
  const topics = { data: DEFAULT_TOPICS.data(IMEI), confirm: DEFAULT_TOPICS.confirm(IMEI), query: DEFAULT_TOPICS.query(IMEI), status: DEFAULT_TOPICS.status(IMEI), config: DEFAULT_TOPICS.config(IMEI) };
  const credentialsPath = writeCredentialsFile(dir, IMEI, { url: brokerUrl, clientId: IMEI, username: IMEI, password, topics }, {});
  return { keyPath, credentialsPath, rawPublicKey };
}

let socatMissing = false;
beforeAll(() => {
  socatMissing = spawnSync('socat', ['-V']).error !== undefined;
});
const requireSocat = () => {
  if (socatMissing) throw new Error("install Debian's socat: apt-get install socat");
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-bridge-'));
  dirs.push(dir);
  return dir;
}

describe('pinbench bridge serial over a socat pty pair', () => {
  it('behavior: NMEA in, signed readings at the upload period out; bad lines counted; the port vanishes, is retried, and reading resumes', async () => {
    requireSocat();
    const dir = tempDir();
    const socat = new Socat(dir);
    cleanups.push(() => socat.stop());
    await socat.start();
    const received: Received[] = [];
    const broker = await startBroker(received);
    cleanups.push(() => broker.close());
    const files = deviceFiles(dir, broker.url);

    const { logger, lines: log } = recordingLogger();
    const out: string[] = [];
    const controller = new AbortController();
    const cmd = parseBridgeArgs(['bridge', 'serial', '--port', socat.gps, '--baud', '9600', '--id', IMEI, '--key', files.keyPath, '--credentials', files.credentialsPath, '--upload-period', '1s', '--progress', '1s']);
    const startedS = Math.floor(Date.now() / 1000);
    const exit = runBridgeCommand(cmd, { logger, signal: controller.signal, stdout: { write: (t: string) => out.push(t) }, bridge: { backoff: FAST_BACKOFF } });
    cleanups.push(async () => {
      controller.abort();
      await exit.catch(() => {});
    });
    await until('the bridge to start', () => log.some((l) => l.startsWith('info bridge: NMEA from')));
    expect(out[0]).toBe(`device ${IMEI}: p256 public key 0x${Buffer.from(files.rawPublicKey).toString('hex')} (compare it with the one provisioned)\n`);

    const epochs = fixtureEpochs();
    expect(epochs).toHaveLength(68);
    const firstPart = epochs.slice(0, 40);
    const secondPart = epochs.slice(40);
    const firstFixes = fixesOf(firstPart);
    const secondFixes = fixesOf(secondPart);

    // A tick before anything was fed: no fix, nothing published.
    await until('a progress line', () => log.some((l) => /^info sentences 0 ok.*ticks [1-9]\d*, [1-9]\d* without a fix; readings 0 published.*port open; mqtt connected$/.test(l)), 3000);
    await socat.play(firstPart, 70);
    await until('readings of the first part', () => received.length >= 2);
    await sleep(1100); // the last fix of the first part goes out at the next tick
    const beforeLoss = received.length;

    await socat.stop();
    await until('the loss to be reported', () => log.some((l) => l.startsWith(`warn serial port ${socat.gps} lost (`)));
    await sleep(1500); // ticks while the port is gone
    expect(received.length).toBe(beforeLoss); // no reading is invented while the port is gone
    expect(log.filter((l) => l.startsWith('info sentences')).at(-1)).toMatch(/port reopening, lost 1×/);

    await socat.start();
    await until('the port to be back', () => log.some((l) => l.startsWith(`info serial port ${socat.gps} is back after`)), 3000);
    await socat.play(secondPart, 70);
    await until('readings of the second part', () => received.some((r) => secondFixes.has(positionOf(r))), 3000);
    await sleep(1100);

    controller.abort();
    expect(await exit).toBe(0);
    const final = out.find((t) => t.startsWith(`bridge ${IMEI} stopped: `))!;
    // The five spoiled lines of the recording, each counted by its kind.
    expect(final).toContain(' bad (2 bad checksum, 1 no checksum, 2 malformed), ');
    expect(final).toMatch(/; port closed, lost 1×; mqtt disconnected\n$/);
    const published = /readings (\d+) published, (\d+) acked, 0 queued/.exec(final);
    expect(published).not.toBeNull();
    expect(Number(published![1])).toBe(received.length);
    expect(Number(published![2])).toBe(received.length);

    const verifier = createVerifier(files.rawPublicKey, 'p256');
    const endS = Math.floor(Date.now() / 1000);
    const randoms = new Set<string>();
    for (const r of received) {
      expect(r.deviceId).toBe(IMEI);
      expect(r.topic).toBe(`device/${IMEI}/data`);
      const pkg = decodeBinPackage(r.payload);
      expect(verifier.verifyPackage(pkg)).toBe(true);
      expect(pkg.timestamp).toBeGreaterThanOrEqual(startedS);
      expect(pkg.timestamp).toBeLessThanOrEqual(endS);
      const data = decodeSensorData(pkg.data);
      randoms.add(data.random!);
      expect(firstFixes.has(positionOf(r)) || secondFixes.has(positionOf(r))).toBe(true);
      expect([data.vbat, data.temperature, data.gyroscope]).toEqual([0, 0, []]);
    }
    expect(randoms.size).toBe(received.length);
    // Readings before the loss are from the first part, the ones after from the second.
    expect(received.slice(0, beforeLoss).every((r) => firstFixes.has(positionOf(r)))).toBe(true);
    expect(received.slice(beforeLoss).every((r) => secondFixes.has(positionOf(r)))).toBe(true);
    expect(received.length - beforeLoss).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('error: a port that does not exist gives the one SERIAL_PORT_UNAVAILABLE line', async () => {
    const dir = tempDir();
    const files = deviceFiles(dir, 'mqtt://127.0.0.1:1');
    const port = join(dir, 'ttyUSB9');
    const cmd = parseBridgeArgs(['bridge', 'serial', '--port', port, '--id', IMEI, '--key', files.keyPath, '--credentials', files.credentialsPath]);
    const { logger } = recordingLogger();
    await expect(runBridgeCommand(cmd, { logger, signal: new AbortController().signal, stdout: { write: () => {} } })).rejects.toMatchObject({
      code: 'SERIAL_PORT_UNAVAILABLE',
      message: `cannot open ${port}: no such port (No such file or directory, cannot open ${port}); list ports with \`ls /dev/ttyUSB* /dev/ttyACM*\` or check the cable`,
    });
  });

  it('behavior: readings taken while the broker is gone are queued and sent when it is back; a wrong password stops the start', async () => {
    requireSocat();
    const dir = tempDir();
    const socat = new Socat(dir);
    cleanups.push(() => socat.stop());
    await socat.start();
    const received: Received[] = [];
    let broker = await startBroker(received);
    const brokerPort = broker.port;
    cleanups.push(() => broker.close());
    const files = deviceFiles(dir, broker.url);
    const { logger, lines: log } = recordingLogger();

    const wrong = deviceFiles(tempDir(), broker.url, 'not-the-password');
    await expect(
      startSerialBridge({ portPath: socat.gps, baudRate: 9600, key: readKeyFile(wrong.keyPath), credentials: readCredentialsFile(wrong.credentialsPath), uploadPeriodMs: 1000, logger }),
    ).rejects.toMatchObject({ code: 'BRIDGE_MQTT_REFUSED', message: expect.stringContaining(`refused ${IMEI}: Connection refused: Bad username or password`) });

    const bridge = await startSerialBridge({
      portPath: socat.gps, baudRate: 9600, key: readKeyFile(files.keyPath), credentials: readCredentialsFile(files.credentialsPath),
      uploadPeriodMs: 1000, logger, reconnectPeriodMs: 100, backoff: FAST_BACKOFF,
      nowMs: () => 1_778_749_920_500, // the injected wall clock stamps the readings
    });
    cleanups.push(async () => void (await bridge.stop(0)));
    await broker.close();
    await until('the bridge to see the broker gone', () => !bridge.stats().readings.connected);
    await socat.play(fixtureEpochs().slice(4, 34), 80);
    await until('readings to queue', () => bridge.stats().readings.queued >= 2, 3000);
    expect(received).toHaveLength(0);

    broker = await startBroker(received, brokerPort);
    const queued = bridge.stats().readings.queued;
    await until('the queue to be sent', () => received.length >= queued && bridge.stats().readings.queued === 0, 5000);
    expect(log.some((l) => l.startsWith(`info MQTT connected again to mqtt://127.0.0.1:${brokerPort}; sending`))).toBe(true);
    expect(log.some((l) => l.startsWith(`warn MQTT connection to mqtt://127.0.0.1:${brokerPort} lost`))).toBe(true);
    const final = await bridge.stop();
    expect(final.readings.acked).toBe(final.readings.published);
    const verifier = createVerifier(readKeyFile(files.keyPath).publicKey, 'p256');
    for (const r of received) {
      const pkg = decodeBinPackage(r.payload);
      expect(verifier.verifyPackage(pkg)).toBe(true);
      expect(pkg.timestamp).toBe(1_778_749_920);
    }
  }, 30_000);
});

function positionOf(r: Received): string {
  const data = decodeSensorData(decodeBinPackage(r.payload).data);
  return `${data.latitude},${data.longitude}`;
}
