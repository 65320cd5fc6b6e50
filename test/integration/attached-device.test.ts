import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import mqtt from 'mqtt';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../../sim/index.ts';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import { loadOrCreateLocalCa } from '../../backend/pki/local-ca.ts';
import { readCredentialsFile, type DeviceCredentials } from '../../sim/attach/credentials-file.ts';
import { confirmMessage, encodeConfirmPackage, ownerBytes } from '../../protocol/index.ts';
import { parseClaimArgs, runClaimCommand } from '../../sim/cli/claim-command.ts';
import { testCacheDir } from '../support/cache.ts';

const run = promisify(execFile);

/** Debian's mosquitto-clients: the test uses the real mosquitto_pub, a client pinbench did not write. */
function requireMosquittoPub(): void {
  if (!['/usr/bin/mosquitto_pub', '/usr/local/bin/mosquitto_pub'].some((p) => existsSync(p))) {
    throw new Error('this test needs mosquitto_pub: install Debian\'s mosquitto-clients (apt-get install -y mosquitto-clients); .ci/run installs it');
  }
}

const root = protobuf.loadSync(join(import.meta.dirname, '..', 'fixtures', 'proto', 'pebble.proto'));
const BinPackage = root.lookupType('pebble.BinPackage');
const SensorData = root.lookupType('pebble.SensorData');

/**
 * A Pebble v2 reading built from the .proto field layout with protobufjs (not pinbench's codec)
 * and signed as the device's secure element does: ECDSA P-256 over
 * sha256(uint32 BE type ‖ data ‖ uint32 BE timestamp), r‖s.
 */
function pebblePacket(key: KeyObject, timestamp: number, latE7: number, lonE7: number): Buffer {
  const data = Buffer.from(
    SensorData.encode(SensorData.create({ snr: 21, vbat: 4012, latitude: latE7, longitude: lonE7, temperature: 2150, pressure: 101_325, humidity: 40, light: 300, random: createHash('sha256').update(String(timestamp)).digest('hex').slice(0, 16) })).finish(),
  );
  const header = Buffer.alloc(4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(timestamp);
  const signature = sign('sha256', Buffer.concat([header, data, tail]), { key, dsaEncoding: 'ieee-p1363' });
  return Buffer.from(BinPackage.encode(BinPackage.create({ type: 0, data, timestamp, signature })).finish());
}

const A = '356938035643809';
const B = '352099001761481';
const C = '353456789012348';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('integration: real devices attached over mqtts and ws, with clients pinbench did not write', () => {
  let anvil: AnvilNode;
  let result: RunResult;
  let provider: JsonRpcProvider;
  const ownerA = Wallet.createRandom();
  const ownerB = Wallet.createRandom();
  const keyA = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyB = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ownerC = Wallet.createRandom();
  const keyC = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const statusesOfC: unknown[] = [];
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const work = mkdtempSync(join(tmpdir(), 'pinbench-attached-'));
  const home = join(work, 'home');
  const traffic: Array<Promise<unknown>> = [];
  const refusedByMosquitto: string[] = [];
  let credsA: DeviceCredentials;

  /** mosquitto_pub of one file as device A with A's certificate, plus any changed arguments. */
  const mosquittoPub = async (packet: Buffer, name: string, args: { clientId?: string; topic?: string; cert?: string; key?: string; password?: string; cafile?: string } = {}) => {
    const file = join(work, `${name}.bin`);
    writeFileSync(file, packet);
    const url = new URL(credsA.url);
    const argv = [
      '-V', 'mqttv311', '-h', url.hostname, '-p', url.port, '--cafile', args.cafile ?? credsA.ca!,
      ...(args.cert === '' ? [] : ['--cert', args.cert ?? credsA.cert!, '--key', args.key ?? credsA.key!]),
      '-i', args.clientId ?? credsA.clientId, ...(args.password === undefined ? [] : ['-u', args.clientId?.replace('nrf-', '') ?? A, '-P', args.password]),
      '-t', args.topic ?? credsA.topics.data, '-q', '1', '-f', file,
    ];
    try {
      await run('mosquitto_pub', argv, { timeout: 10_000 });
    } catch (error) {
      refusedByMosquitto.push(name);
      return (error as { stderr?: string }).stderr ?? String(error);
    }
    return '';
  };

  beforeAll(async () => {
    requireMosquittoPub();
    anvil = await startAnvil({ logger: silentLogger });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    writeFileSync(join(work, 'a.pem'), keyA.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(work, 'b.pem'), keyB.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(work, 'c.pem'), keyC.publicKey.export({ type: 'spki', format: 'pem' }));
    const otherCa = await loadOrCreateLocalCa(join(work, 'other-ca'));
    const foreign = await otherCa.issueClientCertificate(A);
    writeFileSync(join(work, 'foreign.cert.pem'), foreign.certPem);
    writeFileSync(join(work, 'foreign.key.pem'), foreign.keyPem);
    writeFileSync(
      join(work, 'attached.yaml'),
      [
        'name: attached',
        'seed: 7',
        'fleet:',
        '  - count: 2',
        '    motion: walk',
        '    uploadPeriodS: 2',
        'epochs: { lengthS: 12, count: 2 }',
        'circuit: { batchSize: 4, readingsPerDevice: 8 }',
        'broker:',
        '  listen: [ "mqtts://127.0.0.1:0", "ws://127.0.0.1:0" ]',
        'attached:',
        `  - { id: "${A}", publicKey: a.pem, owner: "${ownerA.address}", uploadPeriodS: 1 }`,
        `  - { id: "${B}", publicKey: b.pem, owner: "${ownerB.address}", uploadPeriodS: 1 }`,
        `  - { id: "${C}", publicKey: c.pem, owner: "${ownerC.address}", uploadPeriodS: 1, registration: confirm }`,
      ].join('\n'),
    );
    result = await runScenario(join(work, 'attached.yaml'), {
      rpcUrl: anvil.rpcUrl,
      outDir: join(work, 'runs'),
      cacheDir: testCacheDir,
      homeDir: home,
      waitFor: [B],
      waitTimeoutMs: 30_000,
      onBrokerReady: ({ urls, attachedDir }) => {
        credsA = readCredentialsFile(join(attachedDir!, `${A}.json`));
        const credsB = readCredentialsFile(join(attachedDir!, `${B}.json`));
        const ws = urls.find((u) => u.startsWith('ws:'))!;
        const credsC = readCredentialsFile(join(attachedDir!, `${C}.json`));
        traffic.push(
          (async () => {
            // C registers itself as the firmware does: query → owner proposal → signed confirm → {status: 2},
            // over mqtts with its client certificate (mqtt.js), then uploads.
            const clientC = await mqtt.connectAsync(credsC.url, {
              clientId: credsC.clientId, ca: readFileSync(credsC.ca!), cert: readFileSync(credsC.cert!), key: readFileSync(credsC.key!), protocolVersion: 4, reconnectPeriod: 0,
            });
            const registered = new Promise<void>((resolve) => {
              clientC.on('message', (topic, payload) => {
                const status = JSON.parse(payload.toString()) as { status: number; proposer?: string };
                statusesOfC.push(status);
                if (status.status === 1) {
                  const owner = ownerBytes(status.proposer!);
                  const timestamp = Math.floor(Date.now() / 1000);
                  const signature = sign('sha256', confirmMessage(owner, timestamp), { key: keyC.privateKey, dsaEncoding: 'ieee-p1363' });
                  void clientC.publishAsync(credsC.topics.confirm, Buffer.from(encodeConfirmPackage({ owner, timestamp, signature, channel: 0 })), { qos: 1 });
                }
                if (status.status === 2) resolve();
              });
            });
            await clientC.subscribeAsync(credsC.topics.status, { qos: 1 });
            await clientC.publishAsync(credsC.topics.query, '', { qos: 1 });
            await registered;
            await sleep(2500);
            for (let i = 0; i < 3; i++) {
              await clientC.publishAsync(credsC.topics.data, pebblePacket(keyC.privateKey, Math.floor(Date.now() / 1000), 525_100_000 + i * 900, 134_000_000), { qos: 1 });
              await sleep(1100);
            }
            await clientC.endAsync();
          })(),
        );
        traffic.push(
          (async () => {
            // B stays connected over WebSocket with its password: the run waits for it.
            const clientB = await mqtt.connectAsync(ws, { clientId: credsB.clientId, username: credsB.username, password: credsB.password, protocolVersion: 4, reconnectPeriod: 0 });
            await sleep(1500);
            const t0 = Math.floor(Date.now() / 1000);
            for (let i = 0; i < 4; i++) {
              const now = Math.floor(Date.now() / 1000);
              await mosquittoPub(pebblePacket(keyA.privateKey, now, 525_200_000 + i * 900, 134_050_000 + i * 700), `a-${i}`);
              await clientB.publishAsync(credsB.topics.data, pebblePacket(keyB.privateKey, now, 525_300_000 + i * 800, 134_060_000), { qos: 1 });
              await sleep(1100);
            }
            // Refused, each for its own reason; the run goes on for everyone else.
            await mosquittoPub(pebblePacket(keyA.privateKey, t0 + 9, 525_210_000, 134_050_000), 'wrong-password', { cert: '', password: 'not-the-password' });
            await mosquittoPub(pebblePacket(keyA.privateKey, t0 + 9, 525_210_000, 134_050_000), 'foreign-ca', { cert: join(work, 'foreign.cert.pem'), key: join(work, 'foreign.key.pem') });
            await mosquittoPub(pebblePacket(keyB.privateKey, t0 + 9, 525_210_000, 134_050_000), 'a-cert-as-b', { clientId: `nrf-${B}`, topic: credsB.topics.data });
            await mosquittoPub(pebblePacket(keyA.privateKey, t0 + 9, 525_210_000, 134_050_000), 'a-on-b-topic', { topic: credsB.topics.data });
            await mosquittoPub(pebblePacket(stranger.privateKey, t0 + 10, 525_210_000, 134_050_000), 'other-key');
            await mosquittoPub(readFileSync(join(work, 'a-0.bin')), 'replayed');
            // A second client with B's login takes B's session over, then breaks MQTT with a
            // PUBLISH to a wildcard topic (written to its socket: mqtt.js refuses to send one).
            const kicked = new Promise<void>((resolve) => clientB.once('close', () => resolve()));
            const intruder = await mqtt.connectAsync(ws, { clientId: credsB.clientId, username: credsB.username, password: credsB.password, protocolVersion: 4, reconnectPeriod: 0 });
            await kicked;
            const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
            const topic = Buffer.from('device/+/data');
            intruder.stream.write(Buffer.concat([Buffer.from([0x30, 2 + topic.length + 1, 0, topic.length]), topic, Buffer.from('x')]));
            await closed;
            await intruder.endAsync(true);
            await clientB.endAsync(true);
          })(),
        );
      },
    });
    await Promise.all(traffic);
  }, 600_000);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('behavior: the run passes for everyone, with the attached devices in their own rows', () => {
    expect(result.failedChecks).toEqual([]);
    expect(result.exitCode).toBe(0);
    const rows = Object.fromEntries(result.report.attached.map((d) => [d.deviceId, d]));
    expect(rows[A]).toMatchObject({ source: 'scenario', accepted: 4, rejected: { 'acl.publish': 1, signature: 1, replay: 1 } });
    expect(rows[A]!.flaggedEpochs).toEqual([]);
    expect(rows[B]).toMatchObject({ accepted: 4, rejected: {} });
    expect(rows[C]).toMatchObject({ accepted: 3, rejected: {} });
    expect(rows[C]!.deviceIndex).not.toBeNull();
    expect(statusesOfC.map((s) => (s as { status: number }).status)).toContain(2);
    // The two virtual trackers register by the confirm exchange too (the fleet's default), C the third.
    expect(result.report.registration.confirmed).toBe(3);
    expect(result.report.counts.refusedLogins).toMatchObject({ password: 1, certificate: 2 });
    expect(readFileSync(join(result.runDir, 'report.md'), 'utf8')).toContain('## Broker and attached devices');
  });

  it('behavior: the report keeps the fleet apart from the attached devices, and shows the takeover and the protocol violation', () => {
    const { counts, broker } = result.report;
    // The fleet's publishes all ended as readings; the attached devices' readings (A 4, B 4, C 3)
    // and A's refused messages (a topic not its own, another key, a replay) came from outside it.
    expect(counts.fleet).toEqual({ accepted: counts.published, rejected: 0, unaccounted: 0 });
    expect(counts.outside).toEqual({ received: 14, accepted: 11, rejected: 3 });
    expect(counts.received).toBe(counts.published + 14);
    expect(counts.refusedSubscribes).toBe(0);
    expect(counts.closedConnections).toEqual({ 'protocol.violation': 1 });
    expect(broker.takeovers).toEqual({ total: 1, devices: [{ deviceId: B, count: 1, flagged: false }] });
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    expect(db.prepare("SELECT client_id AS clientId, topic, CAST(payload AS TEXT) AS payload, detail FROM rejections WHERE reason = 'protocol.violation'").all()).toEqual([
      { clientId: B, topic: 'device/+/data', payload: 'x', detail: '+ is not allowed in PUBLISH; connection closed' },
    ]);
    db.close();
    const markdown = readFileSync(join(result.runDir, 'report.md'), 'utf8');
    expect(markdown).toContain('| outside the fleet (attached boards, other MQTT clients) | | 14 | 11 | 3 | |');
    expect(markdown).toContain('Refused apart from readings: 1 connection closed (`protocol.violation`).');
    expect(markdown).toContain(`Session takeovers (a second login with a device's client id; the newer connection wins): 1 on 1 device: ${B} (1).`);
    const accounting = result.report.checks.find((c) => c.name === 'every publish accounted for')!;
    expect(accounting.detail).toMatch(/^\d+ acknowledged publishes of the fleet, each accepted or rejected with a reason \(\d+ accepted, 0 rejected\); connections closed on a bad packet, each a row in run.db rejections: protocol.violation 1$/);
  });

  it('behavior: mosquitto_pub saw its refused logins refused, and nothing else', () => {
    expect(refusedByMosquitto.sort()).toEqual(['a-cert-as-b', 'foreign-ca', 'wrong-password']);
  });

  it('behavior: run.db holds the real devices\' signed readings and the refusals by reason', () => {
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const indexOf = (id: string) => (db.prepare('SELECT device_index AS i FROM devices WHERE device_id = ?').get(id) as { i: number }).i;
    const readings = db.prepare('SELECT count(*) AS n FROM readings WHERE device_index = ?');
    expect((readings.get(indexOf(A)) as { n: number }).n).toBe(4);
    expect((readings.get(indexOf(B)) as { n: number }).n).toBe(4);
    const reasons = db.prepare("SELECT reason, count(*) AS n FROM rejections WHERE client_id = ? GROUP BY reason").all(A) as Array<{ reason: string; n: number }>;
    expect(Object.fromEntries(reasons.map((r) => [r.reason, r.n]))).toEqual({ 'acl.publish': 1, signature: 1, replay: 1 });
    db.close();
  });

  it('behavior: the chain accrued units to the real devices, their owners hold nothing until they claim, and `pinbench claim` pays them', async () => {
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const index = (db.prepare('SELECT device_index AS i FROM devices WHERE device_id = ?').get(A) as { i: number }).i;
    const rule = db.prepare('SELECT sum(units) AS units, group_concat(reward_wei) AS wei FROM rewards WHERE device_index = ?').get(index) as { units: number; wei: string };
    db.close();
    const settlement = new Contract(result.report.chain.contracts.settlement, ['function accruedUnits(uint256) view returns (uint256)'], provider);
    const token = new Contract(result.report.chain.contracts.token, ['function balanceOf(address) view returns (uint256)'], provider);
    const accrued = (await settlement.getFunction('accruedUnits')(index)) as bigint;
    expect(accrued).toBeGreaterThan(0n);
    expect(accrued).toBe(BigInt(rule.units));
    expect((await token.getFunction('balanceOf')(ownerA.address)) as bigint).toBe(0n);
    // B published over WebSocket: paid on chain too.
    const db2 = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const indexB = (db2.prepare('SELECT device_index AS i FROM devices WHERE device_id = ?').get(B) as { i: number }).i;
    const unitsB = (db2.prepare('SELECT sum(units) AS units FROM rewards WHERE device_index = ?').get(indexB) as { units: number }).units;
    db2.close();
    expect((await settlement.getFunction('accruedUnits')(indexB)) as bigint).toBe(BigInt(unitsB));
    expect(BigInt(unitsB)).toBeGreaterThan(0n);

    const lines: string[] = [];
    const command = parseClaimArgs([result.runDir, '--owner-key', ownerA.privateKey]);
    if ('help' in command) throw new Error('unexpected help');
    expect(await runClaimCommand(command, { logger: silentLogger, stdout: (l) => lines.push(l) })).toBe(0);
    expect(lines.join('\n')).toMatch(new RegExp(`^DONE claim: ${ownerA.address} claimed [0-9.]+ PINR for ${A} \\(${accrued} units\\)`));
    const want = rule.wei.split(',').reduce((a, v) => a + BigInt(v), 0n);
    expect((await token.getFunction('balanceOf')(ownerA.address)) as bigint).toBe(want);
    expect((await settlement.getFunction('accruedUnits')(index)) as bigint).toBe(0n);
  }, 120_000);
});
