import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioInput } from '../../sim/index.ts';
import { compareReports } from '../../reports/compare/compare-reports.ts';
import { readReport, runCompareCommand } from '../../sim/cli/compare-command.ts';
import { testCacheDir } from '../support/cache.ts';
import { runFingerprint as fingerprint } from '../support/fingerprint.ts';

const scenario: ScenarioInput = {
  name: 'determinism',
  seed: 11,
  fleet: [
    { count: 5, motion: 'car', uploadPeriodS: 10 },
    { count: 3, motion: 'walk', uploadPeriodS: 15 },
  ],
  epochs: { lengthS: 60, count: 2 },
  time: { mode: 'accelerated' },  // Tests never build the default 32×4 circuit (it needs a 2^15 ptau, 20+ minutes to make).
  circuit: { batchSize: 4, readingsPerDevice: 8 },
};

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

    // `pinbench compare` of the two real reports: what the seed fixes did not change at all (gas
    // does move: a device's first accrual is a cold write, and the settlements' order is the provers').
    const lines: string[] = [];
    expect(runCompareCommand({ runA: first.runDir, runB: second.runDir }, { stdout: (l) => lines.push(l) })).toBe(0);
    const rows = compareReports(readReport(first.runDir), readReport(second.runDir)).rows;
    const row = (metric: string) => rows.find((r) => r.metric === metric);
    for (const metric of ['messages.published', 'messages.accepted', 'rejected.total', 'proofs.count', 'rewards.devicesPaid', 'checks.failed']) {
      expect(row(metric), metric).toMatchObject({ regression: false });
      expect(row(metric)!.a, metric).toBe(row(metric)!.b);
    }
    expect(row('latency.publishToAccept.p99')?.a).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatch(/^\d+ metrics worse in B than in A \(no --fail-on-regression: exit 0\)$/);
  }, 300_000);
});
