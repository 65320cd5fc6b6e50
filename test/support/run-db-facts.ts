import Database from 'better-sqlite3';
import { latLngToCell } from 'h3-js';
import { factsFromReadings, type DeviceEpochFacts, type RewardPolicy } from '../../core/reward-policy/index.ts';
import { flagLargeJumps, type WorkReading } from '../../core/reward-rule.ts';

/** Every device-epoch's facts from run.db's accepted readings and flags, as a user holding them would compute them. */
export function factsFromRunDb(runDb: string, policy: RewardPolicy, k: number): Map<number, DeviceEpochFacts[]> {
  const db = new Database(runDb, { readonly: true });
  const rows = db.prepare('SELECT epoch, device_index AS deviceIndex, timestamp_s AS timestampS, lat_e7 AS latE7, lon_e7 AS lonE7 FROM readings ORDER BY epoch, device_index, timestamp_s')
    .all() as Array<{ epoch: number; deviceIndex: number } & WorkReading>;
  const flagged = new Set((db.prepare('SELECT DISTINCT epoch, device_index AS d FROM flags').all() as Array<{ epoch: number; d: number }>).map((f) => `${f.epoch}:${f.d}`));
  db.close();
  const byKey = new Map<string, WorkReading[]>();
  for (const r of rows) {
    const key = `${r.epoch}:${r.deviceIndex}`;
    const list = byKey.get(key) ?? [];
    list.push({ latE7: r.latE7, lonE7: r.lonE7, timestampS: r.timestampS, ...(flagged.has(key) ? { flagged: true } : {}) });
    byKey.set(key, list);
  }
  const resolution = policy.coverage?.resolution;
  const cellOf = resolution === undefined ? undefined : (r: WorkReading) => latLngToCell(r.latE7 / 1e7, r.lonE7 / 1e7, resolution);
  const epochs = new Map<number, DeviceEpochFacts[]>();
  for (const [key, readings] of byKey) {
    const [epoch, deviceIndex] = key.split(':').map(Number) as [number, number];
    const list = epochs.get(epoch) ?? [];
    list.push(factsFromReadings(deviceIndex, flagLargeJumps(readings, k), policy, k, cellOf));
    epochs.set(epoch, list);
  }
  return epochs;
}

