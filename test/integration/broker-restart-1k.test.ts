import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, beforeAll } from 'vitest';
import { runScenario, type RunResult, type ScenarioInput } from '../../sim/index.ts';
import { testCacheDir } from '../support/cache.ts';

/**
 * The embedded broker stops and starts mid-epoch under 1,000 trackers, end to end: devices
 * lose their connection, back off, buffer their readings, reconnect and upload the backlog in
 * bursts; nothing the broker acknowledged is lost, and the report counts the reconnects.
 *
 * Slow: the mechanism takes well under a minute, but 1,000 devices earn in batches, each proven
 * and settled. At 16 devices × 1 reading a proof (6,243 constraints: the 2^13 ptau of the 4 × 8
 * circuit the other tests build) that is 63 batches, ~90 s on 2 cores (~45 s more for the first
 * Groth16 set-up of the shape); at 4 × 8 it was 250 batches and ~5 minutes. It runs when
 * PINBENCH_FAULT_RUNS=1 (.ci/run sets it).
 */
const enabled = process.env.PINBENCH_FAULT_RUNS === '1';
if (!enabled) console.log('broker-restart-1k: skipped (1,000 devices, ~1.5 min on 2 cores); set PINBENCH_FAULT_RUNS=1 to run it');

const DEVICES = 1000;
const PERIOD_S = 5;
const EPOCH_S = 30;
const DOWN_AT_S = 12;
const DOWN_S = 5;
const START = '2026-01-01T00:00:00Z';
const START_S = Date.parse(START) / 1000;
const scenario: ScenarioInput = {
  name: 'broker-restart-1k',
  seed: 32,
  fleet: [{ count: DEVICES, motion: 'car', uploadPeriodS: PERIOD_S }],
  epochs: { lengthS: EPOCH_S, count: 1 },
  time: { mode: 'accelerated', startAt: START },
  circuit: { batchSize: 16, readingsPerDevice: 1 },
  timeline: [{ at: DOWN_AT_S, event: 'broker.restart', downFor: `${DOWN_S}s` }],
  thresholds: ['messages.unaccounted == 0', 'rejected.total == 0', `broker.connects >= ${2 * DEVICES}`],
};

type Row = { id: number; device: string; t: number };

describe.skipIf(!enabled)('integration: the embedded broker restarts mid-epoch under 1,000 devices', () => {
  let result: RunResult;
  let rows: Row[];
  let ackedNotAccepted: number;
  let acked: number;

  beforeAll(async () => {
    result = await runScenario(scenario, { outDir: mkdtempSync(join(tmpdir(), 'pinbench-broker-1k-')), cacheDir: testCacheDir });
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    rows = db
      .prepare('SELECT r.id, d.device_id AS device, r.timestamp_s - ? AS t FROM readings r JOIN devices d USING (device_index) ORDER BY r.id')
      .all(START_S) as Row[];
    // `published` holds what each device got a PUBACK for, by digest; readings hold what the ingest accepted.
    acked = (db.prepare('SELECT count(*) AS n FROM published').get() as { n: number }).n;
    ackedNotAccepted = (db.prepare('SELECT count(*) AS n FROM published p WHERE NOT EXISTS (SELECT 1 FROM readings r WHERE r.digest = p.digest)').get() as { n: number }).n;
    db.close();
  }, 1_800_000);

  it('behavior: the run passes every check and threshold, exit 0', () => {
    expect(result.failedChecks).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.report.counts.unaccounted).toBe(0);
  });

  it('behavior: the restart took every device offline, and the report counts their reconnects', () => {
    expect(result.report.events).toEqual([
      { event: 'broker.restart', atS: DOWN_AT_S, durationS: DOWN_S, devices: 0, detail: `broker down ${DOWN_S} s; ${DEVICES} devices lost their connection`, ok: true },
    ]);
    // Each device's first connect, and at least one more after the broker came back.
    expect(result.report.broker.connects).toBeGreaterThanOrEqual(2 * DEVICES);
  });

  it('behavior: nothing acknowledged is lost: every reading a device got a PUBACK for is accepted in run.db', () => {
    expect(acked).toBeGreaterThan(0);
    expect(ackedNotAccepted).toBe(0);
    expect(rows).toHaveLength(acked);
    expect(result.report.counts.accepted).toBe(acked);
  });

  it('behavior: every device kept its upload grid through the restart: the readings stamped while the broker was down were buffered and uploaded once it was back', () => {
    const lastBefore = Math.max(...rows.filter((r) => r.t < DOWN_AT_S).map((r) => r.id));
    const byDevice = new Map<string, number[]>();
    for (const r of rows) {
      if (!byDevice.has(r.device)) byDevice.set(r.device, []);
      byDevice.get(r.device)!.push(r.t);
      if (r.t >= DOWN_AT_S && r.t < DOWN_AT_S + DOWN_S) expect(r.id, `${r.device} at ${r.t} s`).toBeGreaterThan(lastBefore);
    }
    expect(byDevice.size).toBe(DEVICES);
    for (const [device, ts] of byDevice) {
      ts.sort((a, b) => a - b);
      expect(ts.some((t) => t >= DOWN_AT_S && t < DOWN_AT_S + DOWN_S), `${device} has a reading stamped while the broker was down`).toBe(true);
      for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!, `${device} after ${ts[i - 1]} s`).toBe(PERIOD_S);
    }
  });
});
