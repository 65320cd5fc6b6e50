import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SweepResult } from '../../../reports/sweep/sweep-result.ts';
import { loadScenarioFile } from '../../../scenarios/index.ts';
import { aggregateSets, calibrateForPlan, sweepContext, sweepTasks } from '../../../sim/sweep/run-sweep.ts';
import { planSweep } from '../../../sim/sweep/sweep-plan.ts';
import { runSweepTask } from '../../../sim/sweep/sweep-task.ts';
import { runPinbench, type Ran } from '../../support/pinbench-cli.ts';

const SCENARIO = `name: sweep-cli
seed: 11
area: berlin
fleet:
  - { count: 3, motion: car, uploadPeriodS: 5 }
  - { count: 2, motion: walk, uploadPeriodS: 5 }
  - { count: 1, motion: car, uploadPeriodS: 5, adversary: gps-spoofing }
epochs: { lengthS: 90, count: 3 }
time: { mode: accelerated }
circuit: { batchSize: 4, readingsPerDevice: 8 }
`;

/** Splits one CSV line, fields in double quotes kept whole. */
function csvFields(line: string): string[] {
  return [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'));
}

describe('pinbench sweep', () => {
  let dir: string;
  let file: string;
  let ran: Ran;
  const grid = ['--grid', 'cap=6000,30000', '--grid', 'emission=1000,2000'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pinbench-sweep-cli-'));
    file = join(dir, 'sweep-cli.yaml');
    writeFileSync(file, SCENARIO);
    ran = await runPinbench(['sweep', file, ...grid, '--seeds', '2', '--workers', '2', '--devices', '30', '--out', join(dir, 'out'), '--cache', join(dir, 'cache'), '--objective', 'max honestShare s.t. gini < 0.9']);
  }, 60_000);

  it('behavior: writes sweep.json, sweep.csv and sweep.html that agree with each other and with the sweep computed in-process', async () => {
    expect(ran.stderr).toContain('calibrating sweep-cli: device models over 3 epochs, cells at h3 resolution 8');
    expect(ran.stderr).toContain('sweep: 4/4 sets done, 720 device-epochs');
    expect(ran.code).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'out', 'sweep.json'), 'utf8')) as SweepResult;
    expect(result.kind).toBe('pinbench-sweep');
    expect(result.scenario).toMatchObject({ name: 'sweep-cli', path: file, devices: 30, epochs: 3 });
    expect(result.axes).toEqual([{ name: 'cap', values: ['6000', '30000'] }, { name: 'emission', values: ['1000', '2000'] }]);
    expect(result.seeds).toEqual([1, 2]);
    expect(existsSync(join(dir, 'out', 'sweep.html'))).toBe(true);
    expect(ran.stdout).toContain(`objective max honestShare s.t. gini < 0.9: best set #${result.objective!.bestSetId} ${result.sets[result.objective!.bestSetId!]!.label}`);

    const [header, ...rows] = readFileSync(join(dir, 'out', 'sweep.csv'), 'utf8').trim().split('\n').map(csvFields);
    expect(header!.slice(0, 4)).toEqual(['id', 'label', 'cap', 'emission']);
    expect(rows).toHaveLength(4);
    rows.forEach((row, i) => {
      const set = result.sets[i]!;
      expect(row.slice(0, 4)).toEqual([String(set.id), set.label, set.params.cap, set.params.emission]);
      for (const m of result.metrics) {
        expect(Number(row[header!.indexOf(`${m.name}.mean`)])).toBe(set.metrics[m.name]!.mean);
        expect(Number(row[header!.indexOf(`${m.name}.sd`)])).toBe(set.metrics[m.name]!.sd);
      }
    });
    // Emission is what the schedule mints less the gwei dust: 3 epochs × 1000 tokens.
    expect(result.sets[0]!.metrics.emission!.mean).toBeCloseTo(3000, 3);

    const scenario = loadScenarioFile(file);
    const plan = planSweep(scenario, { grid: ['cap=6000,30000', 'emission=1000,2000'], seeds: 2, devices: 30 });
    const calibrations = await calibrateForPlan(plan, { scenario, scenarioPath: file, scenarioDir: dir, cacheDir: join(dir, 'cache') });
    expect(calibrations[0]!.key).toBe(result.calibration.key);
    const context = sweepContext(plan, calibrations);
    expect(aggregateSets(plan, result.metrics.map((m) => m.name), sweepTasks(plan).map((t) => runSweepTask(context, t)))).toEqual(result.sets);
  });

  it('bad input: refused with exit 2 and one line before any calibration (no calibration file written)', async () => {
    const cache = join(dir, 'bad-cache');
    const cases: Array<[string[], string]> = [
      [['--grid', 'cpa=5', '--seeds', '2'], 'pinbench: --grid cpa: no policy parameter is named cpa; did you mean cap?'],
      [['--seeds', '2'], 'pinbench: --grid: no grid given; name at least one policy parameter and its values, e.g. --grid cap=50,100,200 --grid emission=1000,2000'],
      [['--grid', 'emission=1000,400000000', '--seeds', '2'], 'pinbench: parameter set emission=400000000: policy.emission: 3 epochs × 400000000000000000000000000 wei'],
      [[...grid, '--seeds', '0'], 'pinbench: --seeds: expected a whole number ≥ 1, got 0'],
      [[...grid, '--seeds', '2', '--workers', '0'], 'pinbench: --workers: expected a whole number ≥ 1, got 0'],
      [[...grid, '--seeds', '2', '--objective', 'max fairness'], 'pinbench: --objective max fairness: no metric is named fairness'],
    ];
    for (const [args, line] of cases) {
      const bad = await runPinbench(['sweep', file, ...args, '--cache', cache, '--out', join(dir, 'bad-out')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(line);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(cache, 'sweep-calibrations'))).toBe(false);
    expect(existsSync(join(dir, 'bad-out'))).toBe(false);
  }, 60_000);
});
