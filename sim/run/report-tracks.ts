import type Database from 'better-sqlite3';
import type { TrackSet } from '../../reports/output.ts';

export interface ReadTracksOptions {
  /** Points kept per device at most (default 200). */
  maxPointsPerDevice?: number;
  /** Points kept in all at most (default 40,000), so report.html stays small at 10,000 devices. */
  maxPoints?: number;
  /** IMEIs of the attached real devices (the report's `attached`); without it, a device the bench did not make counts as attached. */
  attached?: Iterable<string>;
}

export const DEFAULT_MAX_POINTS_PER_DEVICE = 200;
export const DEFAULT_MAX_POINTS = 40_000;

/** Fewer than two points make no line: past maxPoints / 2 devices, devices are left out instead. */
const MIN_POINTS_PER_DEVICE = 2;

interface DeviceRow {
  deviceId: string;
  profile: string;
  flagged: boolean;
  attached: boolean;
}

/**
 * The device tracks for the HTML report's map, from run.db's readings (their lat_e7/lon_e7
 * columns), downsampled: each device keeps evenly spaced readings, its first and last
 * included, at most `maxPointsPerDevice` and together at most `maxPoints`. Past `maxPoints / 2`
 * devices, flagged and attached devices are all kept and the others are taken evenly.
 *
 * It reads in two streaming passes, so memory holds only what is kept, whatever the run's size:
 * readings per device (to know the stride), then the readings in the order of run.db's one
 * index (epoch, device, timestamp), which is each device's time order, so nothing is sorted.
 * A reading at exactly 0°, 0° is a GPS without a fix, not a position, and is left out.
 */
export function readTracks(db: Database.Database, options: ReadTracksOptions = {}): TrackSet {
  const maxPerDevice = Math.max(MIN_POINTS_PER_DEVICE, options.maxPointsPerDevice ?? DEFAULT_MAX_POINTS_PER_DEVICE);
  const maxPoints = Math.max(MIN_POINTS_PER_DEVICE, options.maxPoints ?? DEFAULT_MAX_POINTS);
  const devices = deviceRows(db, options.attached === undefined ? null : new Set(options.attached));

  const counts = new Map<number, number>();
  let readings = 0;
  for (const [index, n] of db.prepare('SELECT device_index, count(*) FROM readings WHERE NOT (lat_e7 = 0 AND lon_e7 = 0) GROUP BY device_index ORDER BY device_index').raw().iterate() as IterableIterator<[number, number]>) {
    readings += n;
    if (devices.has(index)) counts.set(index, n);
  }
  const chosen = chooseDevices([...counts.keys()], devices, Math.floor(maxPoints / MIN_POINTS_PER_DEVICE));
  // At least two even when the marked devices alone pass the cap: those are the ones to see.
  const perDevice = Math.max(MIN_POINTS_PER_DEVICE, Math.min(maxPerDevice, Math.floor(maxPoints / Math.max(1, chosen.length))));

  // Per device: readings seen so far, picks made, and the points kept.
  const picks = new Map<number, { n: number; k: number; seen: number; picked: number; points: Array<[number, number]> }>();
  for (const index of chosen) {
    const n = counts.get(index)!;
    picks.set(index, { n, k: Math.min(n, perDevice), seen: 0, picked: 0, points: [] });
  }
  // The j-th of k picks out of n readings: evenly spaced, first and last included.
  const target = (p: { n: number; k: number; picked: number }) => (p.k === 1 ? 0 : Math.round((p.picked * (p.n - 1)) / (p.k - 1)));
  const stream = db.prepare('SELECT device_index, lon_e7, lat_e7 FROM readings WHERE NOT (lat_e7 = 0 AND lon_e7 = 0) ORDER BY epoch, device_index, timestamp_s').raw();
  for (const [index, lonE7, latE7] of stream.iterate() as IterableIterator<[number, number, number]>) {
    const p = picks.get(index);
    if (p === undefined) continue;
    if (p.picked < p.k && p.seen === target(p)) {
      p.points.push([lonE7 / 1e7, latE7 / 1e7]);
      p.picked += 1;
    }
    p.seen += 1;
  }

  let kept = 0;
  let bounds: TrackSet['bounds'] = null;
  const tracks: TrackSet['tracks'] = [];
  for (const index of chosen) {
    const { points } = picks.get(index)!;
    const device = devices.get(index)!;
    kept += points.length;
    for (const [lon, lat] of points) {
      bounds = bounds === null ? [lon, lat, lon, lat] : [Math.min(bounds[0], lon), Math.min(bounds[1], lat), Math.max(bounds[2], lon), Math.max(bounds[3], lat)];
    }
    tracks.push({ deviceId: device.deviceId, profile: device.profile, flagged: device.flagged, attached: device.attached, points });
  }
  return { bounds, tracks, readings, kept };
}

/** The registered devices: profile as the report labels it (reports/types.ts DeviceReward), flagged in any epoch, attached. */
function deviceRows(db: Database.Database, attachedIds: ReadonlySet<string> | null): Map<number, DeviceRow> {
  const flagged = new Set((db.prepare('SELECT DISTINCT device_index FROM flags').raw().all() as Array<[number]>).map(([i]) => i));
  const rows = db
    .prepare(
      `SELECT d.device_index, d.device_id, COALESCE(p.profile, d.motion, 'attached'), p.profile IS NULL
       FROM devices d LEFT JOIN device_profiles p USING (device_index) ORDER BY d.device_index`,
    )
    .raw()
    .all() as Array<[number, string, string, number]>;
  // The bench writes device_profiles for each device it made; a device without one joined from outside.
  return new Map(rows.map(([index, deviceId, profile, unprofiled]) => [
    index,
    { deviceId, profile, flagged: flagged.has(index), attached: attachedIds === null ? unprofiled === 1 : attachedIds.has(deviceId) },
  ]));
}

/** Every device when they fit; else the marked ones (flagged, attached) and the rest evenly, in device order. */
function chooseDevices(indexes: readonly number[], devices: ReadonlyMap<number, DeviceRow>, slots: number): number[] {
  if (indexes.length <= slots) return [...indexes];
  const marked = (i: number) => devices.get(i)!.flagged || devices.get(i)!.attached;
  const others = indexes.filter((i) => !marked(i));
  const room = Math.max(0, slots - (indexes.length - others.length));
  const taken = new Set<number>();
  for (let j = 0; j < room; j++) taken.add(others[Math.floor((j * others.length) / room)]!);
  return indexes.filter((i) => marked(i) || taken.has(i));
}
