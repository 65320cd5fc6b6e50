import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../scenarios/index.ts';
import { runScenario, type RunResult } from '../../../sim/index.ts';
import { calibrate } from '../../../sim/sweep/calibrate.ts';
import type { Calibration } from '../../../sim/sweep/calibration.ts';
import { calibrationError } from '../../../sim/sweep/calibration-error.ts';
import { testCacheDir } from '../../support/cache.ts';
import { tinyScenario } from '../../support/pinbench-cli.ts';

/** tinyScenario's fleet plus one sybil (its clone shares its key): an honest and a flagged profile. */
const SCENARIO = tinyScenario('sweep-calibration-error', 20).replace(
  '  - { count: 4, motion: car, uploadPeriodS: 2 }',
  '  - { count: 3, motion: car, uploadPeriodS: 2 }\n  - { count: 1, motion: car, uploadPeriodS: 2, adversary: { name: sybil, clones: 1 } }',
);

describe('integration: calibration error against a full run of the same scenario', () => {
  let run: RunResult;
  let calibration: Calibration;

  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'pinbench-sweep-error-'));
    const file = join(work, 'tiny.yaml');
    writeFileSync(file, SCENARIO);
    run = await runScenario(file, { outDir: work, cacheDir: testCacheDir });
    ({ calibration } = await calibrate(loadScenarioFile(file), { epochs: 1, resolution: 9, cacheDir: work, scenarioDir: work }));
  }, 300_000);

  it('behavior: per profile, the pool\'s means beside run.db\'s, and the worst relative error', () => {
    expect(run.failedChecks).toEqual([]);
    const error = calibrationError(calibration, join(run.runDir, 'run.db'));
    console.log(`calibration error on a tiny run: ${JSON.stringify(error.profiles.map((p) => ({ profile: p.profile, readings: p.readings, flagRate: p.flagRate, units: p.units })))}`);
    expect(error.epochs).toBe(1);
    expect(error.missingInCalibration).toEqual([]);
    expect(error.missingInRun).toEqual([]);
    expect(error.profiles.map((p) => [p.profile, p.runDeviceEpochs, p.poolRecords])).toEqual([['car', 3, 3], ['car · sybil', 2, 2]]);
    const sybil = error.profiles[1]!;
    // The same rules on the same devices: both flag every sybil device-epoch, and it earns nothing.
    expect(sybil.flagRate).toEqual({ calibrated: 1, run: 1, absolute: 0, relative: 0 });
    expect(sybil.units).toEqual({ calibrated: 0, run: 0, absolute: 0, relative: null });
    const car = error.profiles[0]!;
    expect(car.flagRate.calibrated).toBe(0);
    expect(car.flagRate.run).toBe(0);
    // Same seed, same device models, discrete time on both sides: the calibration reproduces the
    // full run's readings and units exactly (13 readings of 3 cars in a 12-second epoch).
    expect(car.readings).toEqual({ calibrated: 13 / 3, run: 13 / 3, absolute: 0, relative: 0 });
    expect(car.units.absolute).toBe(0);
    expect(car.units.run).toBeGreaterThan(0);
    expect(error.worstRelative).toBe(0);
  });

  it('bad input: a run.db that is not there is named', () => {
    expect(() => calibrationError(calibration, '/nonexistent/run.db')).toThrow('run database /nonexistent/run.db cannot be opened; give the run.db of a finished run');
  });
});
