import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult, type ScenarioInput } from '../../sim/index.ts';
import { payloadDigest } from '../../protocol/payload-digest.ts';
import { binPackageToJson } from '../../protocol/codec/json-package.ts';
import { testCacheDir } from '../support/cache.ts';
import { runFingerprint } from '../support/fingerprint.ts';

/** The smoke scenario's shape, small: 6 devices, two short epochs, the cached 4 × 8 circuit. */
const scenario = (codec: 'pebble-v2' | 'json'): ScenarioInput => ({
  name: `codec-${codec}`,
  seed: 23,
  codec,
  fleet: [
    { count: 4, motion: 'car', uploadPeriodS: 5 },
    { count: 2, motion: 'walk', uploadPeriodS: 5 },
  ],
  epochs: { lengthS: 30, count: 2 },
  time: { mode: 'accelerated' },
  circuit: { batchSize: 4, readingsPerDevice: 8 },
});

function runDb(runDir: string) {
  const db = new Database(join(runDir, 'run.db'), { readonly: true });
  try {
    return {
      readings: db.prepare('SELECT package, digest FROM readings ORDER BY id').all() as Array<{ package: Buffer; digest: Buffer }>,
      rejections: db.prepare('SELECT reason, count(*) AS n FROM rejections GROUP BY reason ORDER BY reason').all() as Array<{ reason: string; n: number }>,
      batches: db.prepare('SELECT status, tx_hash AS tx FROM batches ORDER BY epoch, batch').all() as Array<{ status: string; tx: string | null }>,
      rewardWei: (db.prepare('SELECT reward_wei AS w FROM rewards').all() as Array<{ w: string }>).reduce((sum, r) => sum + BigInt(r.w), 0n),
    };
  } finally {
    db.close();
  }
}

describe('integration: codec json end to end, and the same run in pebble-v2', () => {
  let json: RunResult;
  let pebble: RunResult;

  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-codec-'));
    // The json run's fleet in a fleet process of its own (as large fleets run), the pebble-v2 one in this process.
    json = await runScenario(scenario('json'), { outDir, cacheDir: testCacheDir, fleetProcess: 'child' });
    pebble = await runScenario(scenario('pebble-v2'), { outDir, cacheDir: testCacheDir, fleetProcess: 'inline' });
  }, 180_000);

  it('behavior: devices publish JSON, the ingest accepts it (no decode rejections), every batch settles and the chain pays', () => {
    expect(json.failedChecks).toEqual([]);
    expect(existsSync(join(json.runDir, 'fleet-process.log'))).toBe(true);
    expect(json.report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['readings accepted', 'every publish accounted for', 'all batches settled', 'chain accruals equal the rule', 'chain balances equal rewards']),
    );
    const db = runDb(json.runDir);
    expect(db.readings.length).toBeGreaterThan(50);
    expect(db.rejections.filter((r) => r.reason === 'decode')).toEqual([]);
    expect(db.batches.length).toBeGreaterThan(0);
    expect(db.batches.every((b) => b.status === 'settled' && b.tx !== null)).toBe(true);
    expect(db.rewardWei).toBeGreaterThan(0n);
    // run.db keeps the signed BinPackage; its digest is that of the JSON the device sent.
    for (const r of db.readings) expect(r.digest.equals(payloadDigest(binPackageToJson(r.package)))).toBe(true);
  });

  it('behavior: the same seed accepts the same signed readings and pays the same rewards in either codec (and placement); only the published bytes differ', () => {
    expect(pebble.failedChecks).toEqual([]);
    const a = runFingerprint(pebble.runDir);
    const b = runFingerprint(json.runDir);
    expect(b.packages.length).toBe(a.packages.length);
    expect(b.packages).toEqual(a.packages);
    expect(b.rewards).toEqual(a.rewards);
    expect(b.rewards.length).toBeGreaterThan(0);
    expect(b.published.length).toBe(a.published.length);
    expect(b.published).not.toEqual(a.published);
    expect(runDb(json.runDir).rejections).toEqual(runDb(pebble.runDir).rejections);
  });
});
