import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStore, type AcceptedReading } from '../../backend/store/run-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(): RunStore {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-store-'));
  dirs.push(dir);
  const store = new RunStore(join(dir, 'run.db'));
  store.addDevices([1, 2].map((i) => ({ deviceIndex: i, deviceId: `dev-${i}`, name: `d${i}`, motion: 'car', owner: '0x0', publicKey: new Uint8Array(65) })));
  return store;
}

const digestOf = (n: number) => Uint8Array.of(0, 0, 0, 0, 0, 0, 0, n);
const reading = (deviceIndex: number, timestampS: number, n: number): AcceptedReading => ({
  deviceIndex, epoch: 0, timestampS, latE7: 1, lonE7: 2, receivedMs: 0, packageBytes: Uint8Array.of(n), digest: digestOf(n),
});
const indexesOf = (store: RunStore, table: string) =>
  (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name").all(table) as Array<{ name: string }>).map((r) => r.name);

describe('run store indexes', () => {
  it('behavior: while readings arrive, readings and rejections keep only the (epoch, device, timestamp) index', () => {
    const store = open();
    store.addReading(reading(1, 100, 1));
    store.flush();
    expect(indexesOf(store, 'readings')).toEqual(['readings_epoch']);
    expect(indexesOf(store, 'rejections')).toEqual([]);
    store.close();
  });

  it('behavior: accounting builds the digest indexes and finds the publishes without an outcome', () => {
    const store = open();
    store.addReading(reading(1, 100, 1));
    store.addRejection({ clientId: 'dev-2', topic: 'device/dev-2/data', reason: 'signature', detail: '', receivedMs: 0, payload: Uint8Array.of(2), digest: digestOf(2) });
    for (const [deviceIndex, n] of [[1, 1], [2, 2], [2, 3]] as const) store.addPublished({ deviceIndex, digest: digestOf(n), publishedMs: 0 });
    expect(store.unaccountedPublishes()).toEqual([{ deviceIndex: 2, count: 1 }]);
    expect(indexesOf(store, 'readings')).toEqual(['readings_digest', 'readings_epoch']);
    expect(indexesOf(store, 'rejections')).toEqual(['rejections_digest']);
    expect(indexesOf(store, 'published')).toEqual(['published_digest']);
    store.close();
  });

  it('behavior: the fleet\'s publishes split by outcome, apart from messages outside the fleet and from refusals that are no message', () => {
    const store = open();
    // Fleet: 1 accepted, 2 rejected, 3 unaccounted. Outside the fleet (no fleet publish has the
    // digest): 4 accepted, 5 rejected. A refused subscribe and a closed connection: neither.
    store.addReading(reading(1, 100, 1));
    store.addRejection({ clientId: 'dev-2', topic: 'device/dev-2/data', reason: 'signature', detail: '', receivedMs: 0, payload: Uint8Array.of(2), digest: digestOf(2) });
    store.addReading(reading(2, 100, 4));
    store.addRejection({ clientId: 'dev-2', topic: 'device/dev-2/data', reason: 'replay', detail: '', receivedMs: 0, payload: Uint8Array.of(5), digest: digestOf(5) });
    store.addRejection({ clientId: 'dev-2', topic: 'device/#', reason: 'acl.subscribe', detail: '', receivedMs: 0, payload: new Uint8Array(0), digest: digestOf(9) });
    store.addRejection({ clientId: 'dev-2', topic: '', reason: 'protocol.violation', detail: '', receivedMs: 0, payload: new Uint8Array(0), digest: digestOf(9) });
    for (const [deviceIndex, n] of [[1, 1], [2, 2], [2, 3]] as const) store.addPublished({ deviceIndex, digest: digestOf(n), publishedMs: 0 });
    expect(store.messagePopulations(['acl.subscribe', 'payload.too-large', 'protocol.violation'])).toEqual({
      fleet: { accepted: 1, rejected: 1, unaccounted: 1 },
      outside: { received: 2, accepted: 1, rejected: 1 },
    });
    store.close();
  });

  it('error: a second reading of a device at the same timestamp is refused by the database', () => {
    const store = open();
    store.addReading(reading(1, 100, 1));
    store.flush();
    const insert = store.db.prepare(
      'INSERT INTO readings (device_index, epoch, timestamp_s, lat_e7, lon_e7, received_ms, package, digest) VALUES (1, 0, 100, 1, 2, 0, x\'00\', x\'00\')',
    );
    expect(() => insert.run()).toThrow('UNIQUE constraint failed: readings.epoch, readings.device_index, readings.timestamp_s');
    store.close();
  });
});
