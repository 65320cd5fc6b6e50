import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStore, type AcceptedReading, type PublishedRecord } from '../../backend/store/run-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(flushEveryMs?: number): RunStore {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-store-buffer-'));
  dirs.push(dir);
  const store = new RunStore(join(dir, 'run.db'), flushEveryMs);
  store.addDevices(Array.from({ length: 50 }, (_, d) => ({ deviceIndex: d + 1, deviceId: `dev${d}`, owner: '0x0', publicKey: new Uint8Array(65) })));
  return store;
}

// Digests of two lengths (the ingest's 8 bytes, a test's 3), signed coordinates, a timestamp
// past int32 and a fractional wall time: what the column buffers must carry unchanged.
function reading(i: number): AcceptedReading {
  return {
    deviceIndex: (i % 50) + 1,
    epoch: i % 3,
    timestampS: 4_000_000_000 + i,
    latE7: i % 2 === 0 ? -899_999_999 + i : 899_999_999 - i,
    lonE7: -1_799_999_999 + i * 7,
    receivedMs: 1_765_000_000_000.25 + i,
    packageBytes: Buffer.from(`package ${i}`),
    digest: i % 5 === 0 ? Uint8Array.of(i & 0xff, (i >> 8) & 0xff, 7) : Uint8Array.from({ length: 8 }, (_, b) => (i * 31 + b) & 0xff),
  };
}

describe('RunStore buffers (columns until the commit)', () => {
  it('behavior: thousands of readings and published records come back from run.db exactly as added, in order, across flushes', () => {
    const store = open(3_600_000);
    const readings = Array.from({ length: 3000 }, (_, i) => reading(i));
    const published: PublishedRecord[] = Array.from({ length: 2500 }, (_, i) => ({
      deviceIndex: (i % 50) + 1,
      digest: Uint8Array.from({ length: i % 4 === 0 ? 8 : 5 }, (_, b) => (i + b) & 0xff),
      publishedMs: 1_765_000_000_000.5 + i,
    }));
    // Two flushes, the second after the buffers were cleared and refilled.
    readings.slice(0, 1700).forEach((r) => store.addReading(r));
    published.slice(0, 1100).forEach((p) => store.addPublished(p));
    store.addRejection({ clientId: 'dev1', topic: 't', reason: 'replay', detail: 'd', receivedMs: 1, payload: Buffer.from('x'), digest: Uint8Array.of(9) });
    store.flush();
    readings.slice(1700).forEach((r) => store.addReading(r));
    published.slice(1100).forEach((p) => store.addPublished(p));
    store.flush();
    store.flush();

    const rows = store.db
      .prepare('SELECT device_index, epoch, timestamp_s, lat_e7, lon_e7, received_ms, package, digest FROM readings ORDER BY id')
      .raw(true)
      .all() as Array<[number, number, number, number, number, number, Buffer, Buffer]>;
    expect(rows.map(([deviceIndex, epoch, timestampS, latE7, lonE7, receivedMs, pkg, digest]) => ({ deviceIndex, epoch, timestampS, latE7, lonE7, receivedMs, pkg: pkg.toString(), digest: [...digest] }))).toEqual(
      readings.map((r) => ({ deviceIndex: r.deviceIndex, epoch: r.epoch, timestampS: r.timestampS, latE7: r.latE7, lonE7: r.lonE7, receivedMs: r.receivedMs, pkg: Buffer.from(r.packageBytes).toString(), digest: [...r.digest] })),
    );
    const pubs = store.db.prepare('SELECT device_index, digest, published_ms FROM published ORDER BY id').raw(true).all() as Array<[number, Buffer, number]>;
    expect(pubs.map(([deviceIndex, digest, publishedMs]) => ({ deviceIndex, digest: [...digest], publishedMs }))).toEqual(
      published.map((p) => ({ deviceIndex: p.deviceIndex, digest: [...p.digest], publishedMs: p.publishedMs })),
    );
    expect(store.db.prepare('SELECT count(*) AS n FROM rejections').get()).toEqual({ n: 1 });
    store.close();
  });

  it('behavior: a burst past the row limit is committed without waiting for the timer; close commits the rest', () => {
    const store = open(3_600_000);
    const file = store.db.name;
    // What another connection sees: only what was committed.
    const reader = new Database(file, { readonly: true });
    const committed = () => (reader.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
    for (let i = 0; i < 8191; i++) store.addReading(reading(i));
    expect(committed()).toBe(0);
    // 8,192 rows is the limit: this add commits them.
    store.addReading(reading(8191));
    expect(committed()).toBe(8192);
    store.addReading(reading(9000));
    expect(committed()).toBe(8192);
    store.close();
    expect(committed()).toBe(8193);
    reader.close();
  });

  it('behavior: whoever reads through store.db sees the buffered rows (they are committed first)', () => {
    const store = open(3_600_000);
    store.addReading(reading(1));
    store.addPublished({ deviceIndex: 1, digest: Uint8Array.of(1, 2), publishedMs: 5 });
    const file = store.db.name;
    const other = new RunStore(file);
    expect((other.db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n).toBe(1);
    expect((other.db.prepare('SELECT count(*) AS n FROM published').get() as { n: number }).n).toBe(1);
    other.close();
    store.close();
  });

  it('behavior: rows are committed by the timer on their own', async () => {
    const store = open(20);
    store.addReading(reading(1));
    await new Promise((resolve) => setTimeout(resolve, 80));
    const other = new RunStore(store.db.name);
    expect((other.db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n).toBe(1);
    other.close();
    store.close();
  });
});
