import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioInput } from '../../sim/index.ts';
import { testCacheDir } from '../support/cache.ts';

const scenario: ScenarioInput = {
  name: 'determinism',
  seed: 11,
  fleet: [
    { count: 5, motion: 'car', uploadPeriodS: 10 },
    { count: 3, motion: 'walk', uploadPeriodS: 15 },
  ],
  epochs: { lengthS: 60, count: 2 },
  time: { mode: 'accelerated' },
};

/** What a run published and paid, keyed by device id (registry indices may differ between runs). */
function fingerprint(runDir: string) {
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

describe('integration: determinism', () => {
  it('behavior: the same scenario and seed give byte-identical payloads and identical rewards', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-det-'));
    const first = await runScenario(scenario, { outDir, cacheDir: testCacheDir });
    const second = await runScenario(scenario, { outDir, cacheDir: testCacheDir });
    expect(first.failedChecks).toEqual([]);
    expect(second.failedChecks).toEqual([]);
    const a = fingerprint(first.runDir);
    const b = fingerprint(second.runDir);
    expect(a.packages.length).toBeGreaterThan(50);
    expect(b.packages).toEqual(a.packages);
    expect(b.published).toEqual(a.published);
    expect(b.rewards).toEqual(a.rewards);
  }, 300_000);
});
