import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveDeviceKey, signReading } from '../../devices/index.ts';
import { createVerifier, encodeBinPackage, encodeSensorData, PackageType } from '../../protocol/index.ts';
import { Ingest, type IngestDevice } from '../../backend/ingest/ingest.ts';
import { RunStore } from '../../backend/store/run-store.ts';
import { createEpochCalendar } from '../../backend/epochs/calendar.ts';
import { pebbleIngestCodec } from '../../backend/ingest/pebble-codec.ts';
import { payloadDigest } from '../../protocol/payload-digest.ts';

const T0 = 1_800_000_000;
const keys = [deriveDeviceKey('ingest-order', 0), deriveDeviceKey('ingest-order', 1)];
const ids = ['dev0', 'dev1'];

function pkg(device: number, timestamp: number, signer = keys[device]!): Buffer {
  const data = encodeSensorData({ latitude: 525_200_000 + timestamp - T0, longitude: 134_050_000, vbat: 4000 });
  return Buffer.from(encodeBinPackage({ type: PackageType.DATA, data, timestamp, signature: signReading(signer, PackageType.DATA, data, timestamp) }));
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setUp(verifyWorkers: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-ingest-'));
  const store = new RunStore(join(dir, 'run.db'));
  store.addDevices(keys.map((k, i) => ({ deviceIndex: i + 1, deviceId: ids[i]!, name: ids[i]!, motion: 'test', owner: '0x0', publicKey: k.publicKey })));
  const devices = new Map<string, IngestDevice>(
    keys.map((k, i) => [ids[i]!, { index: i + 1, verify: createVerifier(k.publicKey).verify, publicKey: k.publicKey, curve: 'p256' }]),
  );
  const ingest = new Ingest({
    store, codec: pebbleIngestCodec, devices, calendar: createEpochCalendar(T0, 100, 2), maxClockSkewS: 1000,
    simNowMs: () => (T0 + 50) * 1000, wallNowMs: () => Date.now(), verifyWorkers,
  });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  cleanups.push(() => ingest.close());
  const reasons = () =>
    store.db.prepare('SELECT reason, count(*) AS n FROM rejections GROUP BY reason ORDER BY reason').all() as Array<{ reason: string; n: number }>;
  const accepted = () =>
    store.db.prepare('SELECT device_index AS d, timestamp_s AS t FROM readings ORDER BY id').all() as Array<{ d: number; t: number }>;
  return { ingest, store, reasons, accepted };
}

describe('Ingest with a verify pool', () => {
  it('behavior: finalizes in arrival order, so replay checks see each device in order', async () => {
    const { ingest, store, reasons, accepted } = setUp(2);
    const sequence: Array<[number, number]> = [[0, T0 + 1], [1, T0 + 1], [0, T0 + 2], [0, T0 + 2], [1, T0 + 3], [0, T0 + 1], [1, T0 + 4]];
    const done: number[] = [];
    sequence.forEach(([d, t], i) => ingest.handlePublish(ids[d]!, `device/${ids[d]}/data`, pkg(d, t), () => done.push(i)));
    expect(ingest.inFlight()).toBe(sequence.length);
    await ingest.drain();
    store.flush();
    expect(done).toEqual(sequence.map((_, i) => i));
    expect(accepted()).toEqual([{ d: 1, t: T0 + 1 }, { d: 2, t: T0 + 1 }, { d: 1, t: T0 + 2 }, { d: 2, t: T0 + 3 }, { d: 2, t: T0 + 4 }]);
    expect(reasons()).toEqual([{ reason: 'replay', n: 2 }]);
    expect(ingest.counters).toEqual({ received: 7, accepted: 5, rejected: { replay: 2 } });
  });

  it('error: a forged signature is rejected as signature, before the timestamp checks', async () => {
    const { ingest, store, reasons } = setUp(1);
    ingest.handlePublish(ids[0]!, `device/${ids[0]}/data`, pkg(0, T0 + 5, keys[1]));
    ingest.handlePublish(ids[0]!, `device/${ids[0]}/data`, pkg(0, T0 + 5000, keys[1]));
    ingest.handlePublish(ids[0]!, `device/${ids[0]}/data`, pkg(0, T0 + 6));
    await ingest.drain();
    store.flush();
    expect(reasons()).toEqual([{ reason: 'signature', n: 2 }]);
    expect(ingest.counters.accepted).toBe(1);
  });

  it('behavior: drain() waits for every message; an epoch closed after it rejects only later arrivals', async () => {
    const { ingest, store, reasons } = setUp(1);
    for (let i = 1; i <= 50; i++) ingest.handlePublish(ids[i % 2]!, `device/${ids[i % 2]}/data`, pkg(i % 2, T0 + i));
    await ingest.drain();
    expect(ingest.inFlight()).toBe(0);
    expect(ingest.counters.accepted).toBe(50);
    ingest.closeEpoch(0);
    ingest.handlePublish(ids[0]!, `device/${ids[0]}/data`, pkg(0, T0 + 60));
    await ingest.drain();
    store.flush();
    expect(reasons()).toEqual([{ reason: 'epoch.closed', n: 1 }]);
    expect(ingest.counters.received).toBe(51);
  });

  it('behavior: without threads (verifyWorkers 0) a message is finalized before handlePublish returns', () => {
    const { ingest } = setUp(0);
    let done = false;
    ingest.handlePublish(ids[0]!, `device/${ids[0]}/data`, pkg(0, T0 + 1), () => (done = true));
    expect(done).toBe(true);
    expect(ingest.counters.accepted).toBe(1);
    expect(ingest.inFlight()).toBe(0);
  });
});

describe('payloadDigest', () => {
  it('behavior: the first 8 bytes of sha256 of the payload as published', () => {
    const payload = pkg(0, T0 + 1);
    expect(Buffer.from(payloadDigest(payload)).toString('hex')).toBe(createHash('sha256').update(payload).digest('hex').slice(0, 16));
    expect(payloadDigest(new Uint8Array(0))).toHaveLength(8);
  });
});
