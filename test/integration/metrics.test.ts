import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult, type ScenarioInput } from '../../sim/index.ts';
import { testCacheDir } from '../support/cache.ts';
import { parseExposition, type Exposition } from '../support/prom-text.ts';

/** The smoke scenario's fleet, epochs and proof shape, in accelerated time. */
const scenario: ScenarioInput = {
  name: 'metrics',
  seed: 42,
  fleet: [
    { profile: 'pebble', count: 14, motion: 'car', uploadPeriodS: 2 },
    { profile: 'pebble', count: 6, motion: 'walk', uploadPeriodS: 2 },
  ],
  epochs: { lengthS: 12, count: 2 },
  reward: { unitsPerSample: 1000, maxStepE7: 20000, rewardPerUnitWei: '1000000000000' },
  time: { mode: 'accelerated' },
  circuit: { batchSize: 4, readingsPerDevice: 8 },
};

const outDir = () => mkdtempSync(join(tmpdir(), 'pinbench-metrics-'));

describe('integration: --metrics serves the run live in Prometheus text format', () => {
  let result: RunResult;
  let metricsUrl = '';
  /** Every scrape that answered while the run's promise was still pending. */
  const scrapes: Exposition[] = [];

  beforeAll(async () => {
    let running = true;
    let polling: Promise<void> = Promise.resolve();
    const run = runScenario(scenario, {
      outDir: outDir(),
      cacheDir: testCacheDir,
      metrics: '127.0.0.1:0',
      onMetricsReady: (url) => {
        metricsUrl = url;
        polling = (async () => {
          while (running) {
            try {
              const text = await (await fetch(url)).text();
              if (running) scrapes.push(parseExposition(text));
            } catch {
              // The endpoint closes as the run cleans up.
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })();
      },
    });
    try {
      result = await run;
    } finally {
      running = false;
      await polling;
    }
  }, 600_000);

  it('behavior: the run passes and its metrics URL is on loopback at the port it bound', () => {
    expect(result.failedChecks).toEqual([]);
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/metrics$/);
    expect(scrapes.length).toBeGreaterThan(3);
  });

  it('behavior: mid-run scrapes show readings published and accepted, devices by state, and the latency histogram', () => {
    const live = scrapes.filter((m) => m.has('pinbench_published_total'));
    expect(live.length).toBeGreaterThan(0);
    const busy = live.find((m) => m.value('pinbench_published_total') > 0 && m.value('pinbench_accepted_total') > 0);
    expect(busy, 'a scrape during the run with readings published and accepted').toBeDefined();
    for (const m of live) {
      expect(Object.values(m.byLabel('pinbench_devices', 'state')).reduce((a, b) => a + b, 0)).toBe(20);
      expect(m.value('pinbench_run_info', { scenario: 'metrics', time_mode: 'accelerated' })).toBe(1);
      expect(m.value('pinbench_publish_accept_latency_seconds_count')).toBeLessThanOrEqual(m.value('pinbench_accepted_total'));
      expect(m.value('pinbench_accepted_total')).toBeLessThanOrEqual(m.value('pinbench_received_total'));
    }
    expect(busy!.value('pinbench_publish_accept_latency_seconds_count')).toBeGreaterThan(0);
    expect(busy!.value('pinbench_process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    // Settlement takes tens of seconds here: some scrape falls between two settled batches.
    const settling = live.find((m) => m.value('pinbench_batches_settled_total') > 0 && (m.byLabel('pinbench_proof_jobs', 'status').queued ?? 0) > 0);
    expect(settling, 'a scrape with batches settled and proof jobs still queued').toBeDefined();
    expect(settling!.value('pinbench_settlement_gas_used_total')).toBeGreaterThan(100_000);
    expect(settling!.value('pinbench_proof_duration_seconds_count')).toBe(settling!.value('pinbench_batches_settled_total'));
  });

  it('behavior: counters only grow from scrape to scrape, and the last one is consistent with run.db and the report', () => {
    const live = scrapes.filter((m) => m.has('pinbench_published_total'));
    const counters = ['pinbench_published_total', 'pinbench_received_total', 'pinbench_accepted_total', 'pinbench_epochs_closed_total', 'pinbench_batches_settled_total', 'pinbench_settlement_gas_used_total'];
    for (let i = 1; i < live.length; i += 1) {
      for (const name of counters) expect(live[i]!.value(name), name).toBeGreaterThanOrEqual(live[i - 1]!.value(name));
    }
    const last = live.at(-1)!;
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const readings = count('SELECT count(*) AS n FROM readings');
    const rejections = count('SELECT count(*) AS n FROM rejections');
    const settledJobs = count("SELECT count(*) AS n FROM proof_jobs WHERE status = 'settled'");
    db.close();
    expect(last.value('pinbench_accepted_total')).toBeGreaterThan(0);
    expect(last.value('pinbench_epochs_closed_total')).toBe(2);
    expect(last.value('pinbench_accepted_total')).toBeLessThanOrEqual(readings);
    expect(Object.values(last.byLabel('pinbench_rejected_total', 'reason')).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(rejections);
    expect(last.value('pinbench_published_total')).toBeLessThanOrEqual(result.report.counts.published);
    expect(last.value('pinbench_batches_settled_total')).toBeLessThanOrEqual(settledJobs);
    expect(last.byLabel('pinbench_proof_jobs', 'status').settled ?? 0).toBeLessThanOrEqual(settledJobs);
    expect(last.value('pinbench_batches_settled_total')).toBeLessThanOrEqual(result.report.proofs.count);
    expect(last.value('pinbench_settlement_gas_used_total')).toBeLessThanOrEqual(Number(result.report.gas.settleTotal));
  });
});

describe('integration: a bad --metrics stops the run before anything starts', () => {
  it('error: a malformed address is METRICS_LISTEN_INVALID', async () => {
    await expect(runScenario(scenario, { outDir: outDir(), cacheDir: testCacheDir, metrics: '127.0.0.1' })).rejects.toThrow(
      expect.objectContaining({
        code: 'METRICS_LISTEN_INVALID',
        message: 'metrics address "127.0.0.1": no port; give HOST:PORT such as 127.0.0.1:9464, or a port alone for 127.0.0.1 (0 picks a free port)',
      }),
    );
  });

  it('error: a port in use is METRICS_LISTEN_FAILED, and neither the chain nor the fleet was started', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    const dir = outDir();
    try {
      const t0 = Date.now();
      await expect(runScenario(scenario, { outDir: dir, cacheDir: testCacheDir, metrics: `127.0.0.1:${port}` })).rejects.toThrow(
        expect.objectContaining({
          code: 'METRICS_LISTEN_FAILED',
          message: `cannot serve metrics on 127.0.0.1:${port}: port ${port} is in use (EADDRINUSE); choose another port with --metrics, or 0 for a free one`,
        }),
      );
      expect(Date.now() - t0).toBeLessThan(10_000);
      const [runFolder] = readdirSync(dir);
      expect(readdirSync(join(dir, runFolder!)).filter((f) => !f.startsWith('run.db'))).toEqual([]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
