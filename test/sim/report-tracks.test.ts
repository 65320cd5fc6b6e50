import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_SQL } from '../../backend/store/schema.ts';
import { readTracks } from '../../sim/run/report-tracks.ts';

/**
 * A hand-made run.db (fake readings in the real schema): devices, their profiles, flags and
 * readings with positions, written the way the ingest and the bench write them.
 */
class FakeRunDb {
  readonly db = new Database(':memory:');
  constructor() {
    this.db.exec(SCHEMA_SQL);
  }
  device(index: number, options: { profile?: string | null; flaggedIn?: number } = {}): this {
    this.db.prepare('INSERT INTO devices (device_index, device_id, name, motion, owner, public_key) VALUES (?, ?, ?, ?, ?, ?)').run(index, `35000000000000${index}`, options.profile === null ? null : `d${index}`, options.profile === null ? null : 'car', '0xowner', Buffer.alloc(65));
    if (options.profile !== null) this.db.prepare('INSERT INTO device_profiles (device_index, profile, adversary, upload_period_s) VALUES (?, ?, NULL, 2)').run(index, options.profile ?? 'car');
    if (options.flaggedIn !== undefined) this.db.prepare("INSERT INTO flags (epoch, device_index, flag, evidence) VALUES (?, ?, 'rate', '{}')").run(options.flaggedIn, index);
    return this;
  }
  /** Readings at timestamps 0…n−1, the i-th at (lon, lat) = (10 + index + i / 1000, 50 + i / 1000), epoch = floor(t / perEpoch). */
  readings(index: number, n: number, perEpoch = 1e9, at?: (i: number) => [number, number]): this {
    const insert = this.db.prepare("INSERT INTO readings (device_index, epoch, timestamp_s, lat_e7, lon_e7, received_ms, package, digest) VALUES (?, ?, ?, ?, ?, 0, x'00', x'00')");
    this.db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const [lon, lat] = at?.(i) ?? [10 + index + i / 1000, 50 + i / 1000];
        insert.run(index, Math.floor(i / perEpoch), i, Math.round(lat * 1e7), Math.round(lon * 1e7));
      }
    })();
    return this;
  }
}

let fake: FakeRunDb;
afterEach(() => fake?.db.close());

describe('readTracks: the map tracks from run.db', () => {
  it('behavior: every reading when they fit, in time order across epochs, with the box around them', () => {
    // Inserted epoch 1 first: run.db order is not time order, the index is.
    fake = new FakeRunDb().device(1);
    const insert = fake.db.prepare("INSERT INTO readings (device_index, epoch, timestamp_s, lat_e7, lon_e7, received_ms, package, digest) VALUES (1, ?, ?, ?, ?, 0, x'00', x'00')");
    insert.run(1, 20, 525_200_000, 134_200_000);
    insert.run(0, 10, 525_100_000, 134_100_000);
    insert.run(0, 5, 525_000_000, 134_000_000);
    const set = readTracks(fake.db);
    expect(set.tracks).toEqual([{ deviceId: '350000000000001', profile: 'car', flagged: false, attached: false, points: [[13.4, 52.5], [13.41, 52.51], [13.42, 52.52]] }]);
    expect(set.bounds).toEqual([13.4, 52.5, 13.42, 52.52]);
    expect(set).toMatchObject({ readings: 3, kept: 3 });
  });

  it('behavior: a long track keeps evenly spaced readings, its first and last included, at most maxPointsPerDevice', () => {
    fake = new FakeRunDb().device(1).readings(1, 1001, 300);
    const set = readTracks(fake.db, { maxPointsPerDevice: 5 });
    expect(set.tracks[0]!.points).toEqual([0, 250, 500, 750, 1000].map((i) => [11 + i / 1000, 50 + i / 1000]));
    expect(set).toMatchObject({ readings: 1001, kept: 5 });
  });

  it('behavior: the total cap shares points among the devices', () => {
    fake = new FakeRunDb();
    for (let d = 1; d <= 10; d++) fake.device(d).readings(d, 100);
    const set = readTracks(fake.db, { maxPoints: 40 });
    expect(set.tracks.map((t) => t.points.length)).toEqual(new Array(10).fill(4));
    expect(set).toMatchObject({ readings: 1000, kept: 40 });
  });

  it('behavior: flagged from run.db flags, attached where the bench made no profile (or as the report names them), profile as the report labels it', () => {
    fake = new FakeRunDb().device(1, { profile: 'car · replay', flaggedIn: 0 }).device(2, { profile: null }).device(3).readings(1, 2).readings(2, 2).readings(3, 2);
    const marks = (set: ReturnType<typeof readTracks>) => set.tracks.map((t) => [t.profile, t.flagged, t.attached]);
    expect(marks(readTracks(fake.db))).toEqual([['car · replay', true, false], ['attached', false, true], ['car', false, false]]);
    expect(marks(readTracks(fake.db, { attached: ['350000000000003'] }))).toEqual([['car · replay', true, false], ['attached', false, false], ['car', false, true]]);
  });

  it('behavior: a reading at 0°, 0° (no GPS fix) is no position; a device without positions has no track, and none at all gives no box', () => {
    fake = new FakeRunDb().device(1).device(2).readings(1, 3, 1e9, () => [0, 0]).readings(2, 3, 1e9, (i) => (i === 1 ? [0, 0] : [13, 52]));
    const set = readTracks(fake.db);
    expect(set.tracks.map((t) => [t.deviceId, t.points.length])).toEqual([['350000000000002', 2]]);
    expect(set).toMatchObject({ readings: 2, kept: 2 });
    fake.db.close();
    fake = new FakeRunDb().device(1);
    expect(readTracks(fake.db)).toEqual({ bounds: null, tracks: [], readings: 0, kept: 0 });
  });

  it('behavior: past maxPoints / 2 devices, flagged and attached devices are all kept and the rest taken evenly', () => {
    fake = new FakeRunDb();
    for (let d = 1; d <= 20; d++) fake.device(d, { flaggedIn: d === 20 ? 0 : undefined, profile: d === 19 ? null : 'car' }).readings(d, 3);
    const set = readTracks(fake.db, { maxPoints: 10 });
    const ids = set.tracks.map((t) => Number(t.deviceId.slice(-2)));
    expect(ids).toEqual([1, 7, 13, 19, 20]);
    expect(set.tracks.every((t) => t.points.length === 2)).toBe(true);
    expect(set).toMatchObject({ readings: 60, kept: 10 });
  });
});
