import { join } from 'node:path';
import Database from 'better-sqlite3';
import { batchOfDevice, flagLargeJumps, workUnits, type RuleParams, type WorkReading } from '../../core/reward-rule.ts';

/**
 * The reward rule applied to run.db, independently of the run's own bookkeeping: per device and
 * epoch, the accepted readings of devices the epoch summary did not flag (table `flags`), with
 * large jumps flagged as the circuit requires, through workUnits. Gives each device's units and
 * the batches (`epoch/batch`) that have any.
 */
export function ruleOverRunDb(runDir: string, params: RuleParams, k: number, epochs: number, batchSize: number) {
  const db = new Database(join(runDir, 'run.db'), { readonly: true });
  const rows = db
    .prepare('SELECT device_index AS d, epoch AS e, timestamp_s AS timestampS, lat_e7 AS latE7, lon_e7 AS lonE7 FROM readings ORDER BY d, e, timestampS')
    .all() as Array<{ d: number; e: number } & WorkReading>;
  const flagged = new Set((db.prepare('SELECT epoch AS e, device_index AS d FROM flags').all() as Array<{ e: number; d: number }>).map((f) => `${f.d}/${f.e}`));
  db.close();
  const groups = new Map<string, WorkReading[]>();
  for (const { d, e, timestampS, latE7, lonE7 } of rows) {
    if (e >= epochs || flagged.has(`${d}/${e}`)) continue;
    const key = `${d}/${e}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push({ timestampS, latE7, lonE7 });
  }
  const unitsByDevice = new Map<number, bigint>();
  const batches = new Set<string>();
  for (const [key, readings] of groups) {
    const [d, e] = key.split('/').map(Number) as [number, number];
    const units = workUnits(flagLargeJumps(readings, k), params, k);
    unitsByDevice.set(d, (unitsByDevice.get(d) ?? 0n) + units);
    if (units > 0n) batches.add(`${e}/${batchOfDevice(d, batchSize)}`);
  }
  return { unitsByDevice, batches };
}
