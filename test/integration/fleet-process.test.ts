import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioInput } from '../../sim/index.ts';
import { testCacheDir } from '../support/cache.ts';
import { runFingerprint as fingerprint } from '../support/fingerprint.ts';

const scenario: ScenarioInput = {
  name: 'fleet-process',
  seed: 7,
  fleet: [
    { count: 8, motion: 'car', uploadPeriodS: 10 },
    { count: 4, motion: 'walk', uploadPeriodS: 15, faults: ['flaky-network'] },
  ],
  epochs: { lengthS: 60, count: 2 },
  // One device per second: the ramp runs on the simulation clock in both placements.
  ramp: { devicesPerS: 1 },
  time: { mode: 'accelerated' },  // Tests never build the default 32×4 circuit (it needs a 2^15 ptau, 20+ minutes to make).
  circuit: { batchSize: 4, readingsPerDevice: 8 },
};

describe('integration: fleet in its own process', () => {
  it('behavior: a run with the fleet in a child process passes and publishes byte for byte what the in-process fleet does', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-fleetproc-'));
    const child = await runScenario(scenario, { outDir, cacheDir: testCacheDir, fleetProcess: 'child' });
    const inline = await runScenario(scenario, { outDir, cacheDir: testCacheDir, fleetProcess: 'inline' });
    expect(child.failedChecks).toEqual([]);
    expect(inline.failedChecks).toEqual([]);
    expect(existsSync(join(child.runDir, 'fleet-process.log'))).toBe(true);
    expect(existsSync(join(inline.runDir, 'fleet-process.log'))).toBe(false);
    const a = fingerprint(inline.runDir);
    const b = fingerprint(child.runDir);
    expect(a.packages.length).toBeGreaterThan(50);
    expect(b.packages).toEqual(a.packages);
    expect(b.published).toEqual(a.published);
    expect(b.rewards).toEqual(a.rewards);
    expect(child.report.counts.published).toBe(inline.report.counts.published);
    expect(child.report.performance.childPeakRssBytes).toBeGreaterThan(0);
    expect(inline.report.performance.childPeakRssBytes).toBeNull();
    // The whole run's memory counts every process it had: the fleet process only when there was one.
    const whole = child.report.performance.wholeRun!;
    expect(whole.fleetPeakBytes).toBeGreaterThan(0);
    expect(whole.chainPeakBytes).toBeGreaterThan(0);
    expect(whole.peakTotalBytes).toBeGreaterThan(whole.runPeakBytes);
    expect(whole.proverPeakBytes).toBeGreaterThan(0);
    expect(whole.peakTotalBytes).toBeLessThanOrEqual(whole.runPeakBytes + whole.fleetPeakBytes! + whole.chainPeakBytes! + whole.proverPeakBytes!);
    expect(inline.report.performance.wholeRun).toMatchObject({ fleetPeakBytes: null, chainPeakBytes: expect.any(Number) });
    // Latency is paired across the processes: one sample per accepted reading the fleet saw acknowledged.
    expect(child.report.latencyMs.samples).toBeGreaterThan(0.9 * child.report.counts.accepted);
  }, 300_000);
});
