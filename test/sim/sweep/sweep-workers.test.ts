import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SweepResult } from '../../../reports/sweep/sweep-result.ts';
import { aggregateSets, calibrateForPlan, runSweep, sweepContext, sweepTasks } from '../../../sim/sweep/run-sweep.ts';
import { planSweep } from '../../../sim/sweep/sweep-plan.ts';
import { runSweepTask } from '../../../sim/sweep/sweep-task.ts';
import { sweepTestScenario } from './sweep-scenario.ts';

const withoutTiming = ({ timing: _t, createdAt: _c, ...rest }: SweepResult) => rest;

describe('sweep on worker threads', () => {
  it('determinism: the same scenario, grid and seeds give the same sweep on 1 and 2 workers, and in this thread', { timeout: 60_000 }, async () => {
    const scenario = sweepTestScenario();
    const cacheDir = mkdtempSync(join(tmpdir(), 'pinbench-sweep-workers-'));
    const plan = planSweep(scenario, { grid: ['cap=5000,20000', 'flagPenalty=reading,epoch'], seeds: 3, devices: 40, epochs: 4, objective: 'max honestShare s.t. gini < 0.9' });
    const options = { scenario, scenarioPath: '(object)', scenarioDir: process.cwd(), cacheDir };
    const one = await runSweep(plan, { ...options, workers: 1 });
    const two = await runSweep(plan, { ...options, workers: 2 });
    expect(withoutTiming(two)).toEqual(withoutTiming(one));
    expect(one.timing.deviceEpochs).toBe(4 * 3 * 40 * 4);
    expect(two.timing.workers).toBe(2);
    expect(one.sets.map((s) => s.label)).toEqual(['cap=5000,flagPenalty=reading', 'cap=5000,flagPenalty=epoch', 'cap=20000,flagPenalty=reading', 'cap=20000,flagPenalty=epoch']);
    expect(one.objective?.feasibleSets).toBeGreaterThan(0);

    // The same tasks run here, with no pool, give the same sets.
    const calibrations = await calibrateForPlan(plan, options);
    const context = sweepContext(plan, calibrations);
    const here = sweepTasks(plan).map((task) => runSweepTask(context, task));
    expect(aggregateSets(plan, one.metrics.map((m) => m.name), here)).toEqual(one.sets);
    // Seeds differ: under a cap above what a car earns, the honest reward varies over 3 seeds of 40 devices.
    expect(one.sets[2]!.metrics['honestReward.car']!.sd).toBeGreaterThan(0);
    expect(one.metrics.map((m) => m.name)).toEqual([
      'emission', 'gini', 'top10Share', 'honestShare', 'costPerKm', 'viabilityShare',
      'honestReward.car', 'honestReward.walk', 'adversaryReward.gps-spoofing', 'adversaryReward.sybil', 'adversaryReward.forged-signature',
    ]);
  });
});
