import { join } from 'node:path';
import Database from 'better-sqlite3';

/** What a run published and paid, keyed by device id (registry indices may differ between runs). */
export function runFingerprint(runDir: string) {
  const db = new Database(join(runDir, 'run.db'), { readonly: true });
  const packages = db
    .prepare('SELECT d.device_id AS id, hex(r.package) AS pkg FROM readings r JOIN devices d USING (device_index) ORDER BY d.device_id, r.timestamp_s')
    .all();
  const published = db
    .prepare('SELECT d.device_id AS id, hex(p.digest) AS digest FROM published p JOIN devices d USING (device_index) ORDER BY d.device_id, p.digest')
    .all();
  const rewards = db
    .prepare('SELECT d.device_id AS id, w.epoch, w.units, w.reward_wei AS rewardWei FROM rewards w JOIN devices d USING (device_index) ORDER BY d.device_id, w.epoch')
    .all();
  db.close();
  return { packages, published, rewards };
}
