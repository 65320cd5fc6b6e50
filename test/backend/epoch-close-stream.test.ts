import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBinPackage, encodeSensorData, PackageType } from '../../protocol/index.ts';
import { EpochCloser, type DeviceMeta, type EpochOutcome } from '../../backend/epochs/close-epoch.ts';
import { flagDeviceEpoch } from '../../backend/epochs/flags.ts';
import { summarizeEpoch } from '../../backend/epochs/summarize.ts';
import { RunStore } from '../../backend/store/run-store.ts';

const EPOCH_S = 3600;
const START_S = 1_767_225_600;
const params = { unitsPerSample: 100n, maxStepE7: 5_000n, rewardPerUnitWei: 10n ** 12n };
const shape = { batchSize: 4, readingsPerDevice: 8 };

/** The epoch close as it was before streaming: the whole epoch in memory, then flags, then work. */
function closeInMemory(store: RunStore, epoch: number, devices: ReadonlyMap<string, DeviceMeta>, rejected: Map<string, Record<string, number>>): EpochOutcome {
  const byDevice = store.epochReadings(epoch);
  const rows = store.db
    .prepare('SELECT device_index AS deviceIndex, package AS pkg FROM readings WHERE epoch = ? ORDER BY device_index, timestamp_s')
    .all(epoch) as Array<{ deviceIndex: number; pkg: Buffer }>;
  const packages = new Map<number, Uint8Array[]>();
  for (const row of rows) {
    const list = packages.get(row.deviceIndex) ?? [];
    list.push(row.pkg);
    packages.set(row.deviceIndex, list);
  }
  const metaByIndex = new Map([...devices].map(([clientId, meta]) => [meta.deviceIndex, { clientId, meta }]));
  const flagged: EpochOutcome['flagged'] = [];
  const candidates = new Set<number>([...byDevice.keys()]);
  for (const clientId of rejected.keys()) {
    const meta = devices.get(clientId);
    if (meta) candidates.add(meta.deviceIndex);
  }
  for (const deviceIndex of candidates) {
    const entry = metaByIndex.get(deviceIndex);
    if (!entry) continue;
    const findings = flagDeviceEpoch(
      { packages: packages.get(deviceIndex) ?? [], rejected: rejected.get(entry.clientId) ?? {}, uploadPeriodS: entry.meta.uploadPeriodS, keyShares: entry.meta.keyShares },
      EPOCH_S,
    );
    if (findings.length > 0) flagged.push({ deviceIndex, findings });
  }
  flagged.sort((a, b) => a.deviceIndex - b.deviceIndex);
  const flaggedSet = new Set(flagged.map((f) => f.deviceIndex));
  return {
    epoch,
    readings: [...byDevice.values()].reduce((n, list) => n + list.length, 0),
    work: summarizeEpoch(byDevice, params, shape.readingsPerDevice, flaggedSet),
    flagged,
  };
}

/** A small deterministic generator, so the store's content is the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function fill(store: RunStore): { devices: Map<string, DeviceMeta> } {
  const rand = lcg(42);
  const devices = new Map<string, DeviceMeta>();
  const signature = new Uint8Array(64).fill(7);
  const add = (deviceIndex: number, epoch: number, timestampS: number, latE7: number, lonE7: number) => {
    const data = encodeSensorData({ latitude: latE7, longitude: lonE7, vbat: 4000, snr: 20, temperature: Math.round(rand() * 300) });
    const pkg = encodeBinPackage({ type: PackageType.DATA, data, timestamp: timestampS, signature });
    store.addReading({
      deviceIndex, epoch, timestampS, latE7, lonE7, receivedMs: timestampS * 1000,
      packageBytes: pkg, digest: Uint8Array.of(deviceIndex, epoch, timestampS & 0xff, (timestampS >> 8) & 0xff, 0, 0, 0, 0),
    });
  };
  const reject = (clientId: string, reason: string, n: number) => {
    for (let i = 0; i < n; i++) {
      store.addRejection({ clientId, topic: `device/${clientId}/data`, reason, detail: 'test', receivedMs: 0, payload: Uint8Array.of(1), digest: Uint8Array.of(9, i) });
    }
  };
  store.addDevices(
    Array.from({ length: 10 }, (_, i) => ({
      deviceIndex: i + 1, deviceId: `imei-${i + 1}`, name: `t${i + 1}`, motion: 'car', owner: '0x0', publicKey: new Uint8Array(65),
    })),
  );
  // Devices 1–9 registered with the fleet; 10 has readings but is not registered (never flagged, still paid).
  for (let d = 1; d <= 9; d++) devices.set(`imei-${d}`, { deviceIndex: d, uploadPeriodS: 60, keyShares: d === 4 ? 2 : 1 });
  // Readings are inserted in time order across devices, as the ingest stores them.
  for (let epoch = 0; epoch < 2; epoch++) {
    for (let t = 0; t < EPOCH_S; t += 60) {
      for (const d of [1, 2, 3, 4, 5, 7, 9, 10]) {
        if (d === 5 && t > 600) continue; // a device that went quiet
        if (d === 7 && (t / 60) % 4 !== 0) continue; // a device with fewer readings than K early on
        let lat = 525_000_000 + d * 1_000_000 + Math.round(t * 10 + rand() * 400);
        const lon = 134_000_000 + d * 1_000_000 + Math.round(rand() * 400);
        if (d === 3 && t === 1800) lat += 50_000_000; // a teleport: ~550 km in a minute
        add(d, epoch, START_S + epoch * EPOCH_S + t, lat, lon);
      }
    }
    // Flooding: device 9 publishes far more than its upload period allows.
    for (let t = 1; t < EPOCH_S; t += 5) if (t % 60 !== 0) add(9, epoch, START_S + epoch * EPOCH_S + t, 525_000_000 + Math.round(rand() * 400), 134_000_000);
  }
  reject('imei-6', 'replay', 10); // rejections only, enough to flag
  reject('imei-8', 'signature', 2); // rejections only, too few to flag
  reject('imei-2', 'signature', 1); // a flaky modem: not flagged
  reject('unknown', 'acl.publish', 5); // not a registered device
  return { devices };
}

describe('epoch close, streamed device by device', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-close-'));
    dirs.push(dir);
    return new RunStore(join(dir, 'run.db'));
  };

  it('behavior: gives the same outcome as closing with the whole epoch in memory', async () => {
    const store = open();
    const { devices } = fill(store);
    store.flush();
    const rejected = new Map<string, Record<string, number>>([
      ['imei-6', { replay: 10 }],
      ['imei-8', { signature: 2 }],
      ['imei-2', { signature: 1 }],
      ['unknown', { 'acl.publish': 5 }],
    ]);
    const expected = closeInMemory(store, 0, devices, rejected);
    const closer = new EpochCloser(store, { params, shape, epochLengthS: EPOCH_S, devices: () => devices });
    const outcome = await closer.close(0);
    expect(outcome).toEqual(expected);
    // The store exercises what matters: flagged devices with and without readings, paid ones, an unregistered one.
    expect(outcome.flagged.map((f) => [f.deviceIndex, f.findings.map((x) => x.flag)])).toEqual([
      [3, ['impossible-speed', 'teleport']],
      [4, ['duplicate-key']],
      [6, ['replay']],
      [9, ['impossible-speed', 'teleport', 'flooding']],
    ]);
    // Every device with accepted readings has work; the flagged ones earn nothing.
    expect(outcome.work.map((w) => w.deviceIndex)).toEqual([1, 2, 3, 4, 5, 7, 9, 10]);
    expect(outcome.work.filter((w) => w.units === 0n).map((w) => w.deviceIndex)).toEqual([3, 4, 9]);
    expect(outcome.readings).toBe(60 * 7 + 11 + 15 + 660);
    const saved = store.db.prepare('SELECT device_index AS d, flag FROM flags WHERE epoch = 0 ORDER BY d, flag').all();
    expect(saved).toHaveLength(7);

    // The next epoch sees no rejections any more (they were counted at the previous close).
    const expected1 = closeInMemory(store, 1, devices, new Map());
    expect(await closer.close(1)).toEqual(expected1);
    store.close();
  });

  it('behavior: pages hold whole devices, each once, in device order, readings by timestamp, at any page size', () => {
    const store = open();
    fill(store);
    const whole = [...store.epochDevicePages(1, 1_000_000)];
    expect(whole).toHaveLength(1);
    const expected = whole[0]!;
    expect(expected.map((d) => d.deviceIndex)).toEqual([1, 2, 3, 4, 5, 7, 9, 10]);
    for (const device of expected) {
      expect(device.packages).toHaveLength(device.readings.length);
      const times = device.readings.map((r) => r.timestampS);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    // Page sizes that end inside a device, exactly at a device's end (60 readings), and smaller than one device.
    for (const pageRows of [7, 60, 61, 100, 659, 660, 661]) {
      const pages = [...store.epochDevicePages(1, pageRows)];
      expect(pages.every((page) => page.length > 0)).toBe(true);
      expect(pages.flat()).toEqual(expected);
    }
    store.close();
  });

  it('behavior: no statement stays open between pages, so writes can run while a close waits', () => {
    const store = open();
    fill(store);
    const pages = store.epochDevicePages(0, 50);
    const first = pages.next();
    expect(first.done).toBe(false);
    // The ingest stores readings of the next epoch while this one closes.
    store.addReading({
      deviceIndex: 1, epoch: 2, timestampS: START_S + 2 * EPOCH_S, latE7: 1, lonE7: 1, receivedMs: 0,
      packageBytes: Uint8Array.of(1), digest: Uint8Array.of(200, 1),
    });
    store.flush();
    const rest = [...pages];
    expect([first.value!, ...rest].flat().map((d) => d.deviceIndex)).toEqual([1, 2, 3, 4, 5, 7, 9, 10]);
    store.close();
  });

  it('behavior: reads pages through the epoch index without sorting the epoch', () => {
    const store = open();
    const plan = (sql: string, ...args: number[]) =>
      (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((p) => p.detail).join('; ');
    const columns = 'SELECT device_index, timestamp_s, lat_e7, lon_e7, package FROM readings';
    const firstPage = plan(`${columns} WHERE epoch = ? ORDER BY device_index, timestamp_s LIMIT ?`, 1, 10);
    const nextPage = plan(`${columns} WHERE epoch = ? AND (device_index, timestamp_s) > (?, ?) ORDER BY device_index, timestamp_s LIMIT ?`, 1, 3, 5, 10);
    for (const details of [firstPage, nextPage]) {
      expect(details).toContain('USING INDEX readings_epoch');
      expect(details).not.toContain('TEMP B-TREE');
    }
    expect(nextPage).toContain('(device_index,timestamp_s)>(?,?)');
    store.close();
  });

  it('error: a page size that is not a positive integer', () => {
    const store = open();
    expect(() => store.epochDevicePages(0, 0).next()).toThrow('pageRows: expected a positive integer, got 0');
    store.close();
  });

  it('behavior: lets the event loop run between pages, reports progress after each and hands out work as it goes', async () => {
    const store = open();
    const { devices } = fill(store);
    const closer = new EpochCloser(store, { params, shape, epochLengthS: EPOCH_S, devices: () => devices, pageRows: 100 });
    // A turn of the event loop is counted by an immediate that queues the next one.
    let turns = 0;
    let ticker: NodeJS.Immediate | undefined;
    const tick = () => {
      turns += 1;
      ticker = setImmediate(tick);
    };
    tick();
    const progress: Array<{ devices: number; readings: number; turns: number }> = [];
    try {
      const streamed: number[] = [];
      const outcome = await closer.close(0, { page: (p) => void progress.push({ ...p, turns }), work: (w) => void streamed.push(w.deviceIndex) });
      expect(streamed).toEqual(outcome.work.map((w) => w.deviceIndex));
      expect(outcome).toEqual(await new EpochCloser(store, { params, shape, epochLengthS: EPOCH_S, devices: () => devices }).close(0));
      expect(progress.at(-1)).toMatchObject({ devices: 8, readings: outcome.readings });
    } finally {
      clearImmediate(ticker);
    }
    expect(progress.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.turns).toBeGreaterThan(progress[i - 1]!.turns);
      expect(progress[i]!.readings).toBeGreaterThan(progress[i - 1]!.readings);
    }
    store.close();
  });

  it('behavior: an epoch without readings closes to nothing', async () => {
    const store = open();
    const closer = new EpochCloser(store, { params, shape, epochLengthS: EPOCH_S, devices: () => new Map() });
    expect(await closer.close(0)).toEqual({ epoch: 0, readings: 0, work: [], flagged: [] });
    store.close();
  });
});
