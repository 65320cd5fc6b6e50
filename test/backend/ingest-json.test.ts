import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveDeviceKey, signReading } from '../../devices/index.ts';
import { createVerifier, encodeBinPackage, encodeSensorData, PackageType, payloadDigest } from '../../protocol/index.ts';
import { binPackageToJson } from '../../protocol/codec/json-package.ts';
import { Ingest, type IngestDevice } from '../../backend/ingest/ingest.ts';
import { ingestCodecFor } from '../../backend/ingest/ingest-codecs.ts';
import { jsonIngestCodec } from '../../backend/ingest/json-codec.ts';
import { pebbleIngestCodec } from '../../backend/ingest/pebble-codec.ts';
import { RunStore } from '../../backend/store/run-store.ts';
import { createEpochCalendar } from '../../backend/epochs/calendar.ts';

const T0 = 1_800_000_000;
const key = deriveDeviceKey('ingest-json', 0);
const ID = 'dev0';
const TOPIC = `device/${ID}/data`;

function pkg(timestamp: number, type: PackageType = PackageType.DATA): Uint8Array {
  const data = encodeSensorData({ latitude: -338_688_000 + timestamp - T0, longitude: 1_512_093_000, vbat: 4000, gyroscope: [-3, 0, 7], random: 'A1' });
  return encodeBinPackage({ type, data, timestamp, signature: signReading(key, type, data, timestamp) });
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-ingest-json-'));
  const store = new RunStore(join(dir, 'run.db'));
  store.addDevices([{ deviceIndex: 1, deviceId: ID, name: ID, motion: 'test', owner: '0x0', publicKey: key.publicKey }]);
  const devices = new Map<string, IngestDevice>([[ID, { index: 1, verify: createVerifier(key.publicKey).verify }]]);
  const accepted: Array<{ digest: Uint8Array; payload: Uint8Array }> = [];
  const ingest = new Ingest({
    store, codec: jsonIngestCodec, devices, calendar: createEpochCalendar(T0, 100, 2), maxClockSkewS: 1000,
    simNowMs: () => (T0 + 50) * 1000, wallNowMs: () => Date.now(),
    onAccepted: (_clientId, digest, payload) => accepted.push({ digest, payload }),
  });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  cleanups.push(() => ingest.close());
  const rows = () => {
    store.flush();
    return {
      readings: store.db.prepare('SELECT timestamp_s AS t, lat_e7 AS lat, package, digest FROM readings ORDER BY id').all() as Array<{ t: number; lat: number; package: Buffer; digest: Buffer }>,
      rejections: store.db.prepare('SELECT reason, detail, payload, digest FROM rejections ORDER BY id').all() as Array<{ reason: string; detail: string; payload: Buffer; digest: Buffer }>,
    };
  };
  return { ingest, rows, accepted };
}

describe('Ingest with codec json', () => {
  it('args: codecs by name', () => {
    expect(ingestCodecFor('pebble-v2')).toBe(pebbleIngestCodec);
    expect(ingestCodecFor('json')).toBe(jsonIngestCodec);
  });

  it('behavior: accepts the JSON form; run.db keeps the signed BinPackage as the device encoded it, the digest of the JSON as published', async () => {
    const { ingest, rows, accepted } = setUp();
    const protobuf = [pkg(T0 + 1), pkg(T0 + 2)];
    const json = protobuf.map(binPackageToJson);
    for (const payload of json) ingest.handlePublish(ID, TOPIC, payload);
    await ingest.drain();
    const { readings, rejections } = rows();
    expect(rejections).toEqual([]);
    expect(readings.map((r) => [r.t, r.lat])).toEqual([[T0 + 1, -338_688_000 + 1], [T0 + 2, -338_688_000 + 2]]);
    expect(readings.map((r) => r.package.toString('hex'))).toEqual(protobuf.map((p) => Buffer.from(p).toString('hex')));
    expect(readings.map((r) => r.digest.toString('hex'))).toEqual(json.map((p) => payloadDigest(p).toString('hex')));
    expect(accepted.map((a) => Buffer.from(a.payload).toString())).toEqual(json.map((p) => Buffer.from(p).toString()));
    expect(accepted.map((a) => Buffer.from(a.digest).toString('hex'))).toEqual(json.map((p) => payloadDigest(p).toString('hex')));
  });

  it('error: a malformed JSON package is a decode rejection whose detail says which field and what was expected', async () => {
    const { ingest, rows } = setUp();
    const good = JSON.parse(Buffer.from(binPackageToJson(pkg(T0 + 1))).toString()) as Record<string, Record<string, unknown>>;
    good.data!.latitude = 52.52;
    const bad = new TextEncoder().encode(JSON.stringify(good));
    ingest.handlePublish(ID, TOPIC, bad);
    ingest.handlePublish(ID, TOPIC, pkg(T0 + 2)); // protobuf where JSON is expected
    await ingest.drain();
    const { readings, rejections } = rows();
    expect(readings).toEqual([]);
    expect(rejections.map((r) => r.reason)).toEqual(['decode', 'decode']);
    expect(rejections[0]!.detail).toBe(
      'cannot decode BinPackage JSON: field "data.latitude" must be an integer in [-2147483648, 2147483647] (sint32, degrees ×1e7), got number 52.52; drop the payload and check that the sender speaks the JSON form of docs/codec-json.md',
    );
    expect(rejections[1]!.detail).toMatch(/^cannot decode BinPackage JSON: the payload is not valid UTF-8|^cannot decode BinPackage JSON: not JSON/);
    // Rejections keep the payload as received.
    expect(rejections[0]!.payload.equals(Buffer.from(bad))).toBe(true);
    expect(rejections[0]!.digest.equals(payloadDigest(bad))).toBe(true);
  });

  it('behavior: the other verdicts are those of the protobuf form: a changed value fails the signature, a STATE package is refused by type', async () => {
    const { ingest, rows } = setUp();
    const tampered = JSON.parse(Buffer.from(binPackageToJson(pkg(T0 + 1))).toString()) as Record<string, Record<string, unknown>>;
    tampered.data!.latitude = (tampered.data!.latitude as number) + 1;
    ingest.handlePublish(ID, TOPIC, new TextEncoder().encode(JSON.stringify(tampered)));
    ingest.handlePublish(ID, TOPIC, binPackageToJson(pkg(T0 + 2, PackageType.STATE)));
    await ingest.drain();
    expect(rows().rejections.map((r) => r.reason)).toEqual(['signature', 'type']);
  });
});
