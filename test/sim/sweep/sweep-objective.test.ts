import { describe, expect, it } from 'vitest';
import type { SweepSetResult } from '../../../reports/sweep/sweep-result.ts';
import { sweepSummaryLines } from '../../../sim/cli/sweep-command.ts';
import { evaluateObjective, parseObjective } from '../../../sim/sweep/sweep-objective.ts';

const METRICS = ['emission', 'gini', 'honestShare', 'top10Share', 'adversaryReward.sybil'];
const at = (mean: number) => ({ mean, sd: 0, min: mean, max: mean });
const set = (id: number, honestShare: number, gini: number): SweepSetResult => ({ id, params: {}, label: `s${id}`, metrics: { honestShare: at(honestShare), gini: at(gini), emission: at(100) } });

describe('sweep objective', () => {
  it('parse: direction, metric, constraints joined by and; a % is a share', () => {
    expect(parseObjective('max honestShare s.t. gini < 0.4 and top10Share <= 50%', METRICS)).toEqual({
      text: 'max honestShare s.t. gini < 0.4 and top10Share <= 50%', direction: 'max', metric: 'honestShare',
      constraints: [{ metric: 'gini', op: '<', bound: 0.4 }, { metric: 'top10Share', op: '<=', bound: 0.5 }],
    });
    expect(parseObjective('min adversaryReward.sybil', METRICS).constraints).toEqual([]);
  });

  it('best feasible set on the means; ties go to the lower id; none feasible is an answer, not an error', () => {
    const sets = [set(0, 0.9, 0.5), set(1, 0.8, 0.3), set(2, 0.85, 0.35), set(3, 0.85, 0.2)];
    expect(evaluateObjective(parseObjective('max honestShare s.t. gini < 0.4', METRICS), sets)).toEqual({ text: 'max honestShare s.t. gini < 0.4', bestSetId: 2, feasibleSets: 3 });
    expect(evaluateObjective(parseObjective('min gini', METRICS), sets)).toEqual({ text: 'min gini', bestSetId: 3, feasibleSets: 4 });
    expect(evaluateObjective(parseObjective('max honestShare s.t. gini >= 0.9', METRICS), sets)).toEqual({ text: 'max honestShare s.t. gini >= 0.9', feasibleSets: 0 });
  });

  it('bad input: the grammar, an operator, a unit and an unknown metric are refused with the closest name', () => {
    const ex = "e.g. --objective 'max honestShare s.t. gini < 0.4 and top10Share <= 50%'";
    expect(() => parseObjective('maximise honestShare', METRICS)).toThrow(`--objective maximise honestShare: expected \`max <metric>\` or \`min <metric>\`, optionally followed by \`s.t.\` and constraints joined by \`and\`; ${ex}`);
    expect(() => parseObjective('max honestShare s.t. gin < 0.4', METRICS)).toThrow(`--objective max honestShare s.t. gin < 0.4: no metric is named gin; did you mean gini?; ${ex}`);
    expect(() => parseObjective('max honestShare s.t. gini == 0.4', METRICS)).toThrow(`--objective max honestShare s.t. gini == 0.4: constraint \`gini == 0.4\`: == is not allowed, use one of < <= > >=; ${ex}`);
    expect(() => parseObjective('max honestShare s.t. gini < 4ms', METRICS)).toThrow('constraint `gini < 4ms`: a unit `ms` does not apply; give a plain number or a %');
    expect(() => parseObjective('max honestShare s.t. gini 0.4', METRICS)).toThrow('constraint `gini 0.4` has no comparison (one of <= >= == != < >)');
    expect(() => parseObjective('max honestShare', METRICS)).not.toThrow();
    expect(() => parseObjective('max honestShare s.t. gini < 0.4', METRICS)).not.toThrow();
  });
});

describe('sweep summary table', () => {
  it('the objective\'s answer, then its feasible sets best first; none feasible is said', () => {
    const sets = [set(0, 0.9, 0.5), set(1, 0.8, 0.3), set(2, 0.85, 0.35)];
    const result = {
      kind: 'pinbench-sweep', formatVersion: 1, createdAt: '', scenario: { name: 's', path: 's.yaml', hash: '', devices: 1, epochs: 1 },
      axes: [], seeds: [1], metrics: METRICS.map((name) => ({ name, label: name, unit: '', description: '' })), sets,
      objective: evaluateObjective(parseObjective('max honestShare s.t. gini < 0.4', METRICS), sets),
      calibration: { key: 'k', devicesPerProfile: 1, note: 'not compared' }, timing: { deviceEpochs: 3000, wallMs: 1000, deviceEpochsPerSecond: 3000, workers: 2 },
    } as const;
    const lines = sweepSummaryLines(result, ['out/sweep.json']);
    expect(lines[0]).toBe("objective max honestShare s.t. gini < 0.4: best set #2 s2 (2 of 3 feasible); confirm it with --params 's2'");
    expect(lines.slice(2, 4).map((l) => l.split(/\s+/)[0])).toEqual(['#2', '#1']);
    expect(lines[4]).toBe('3,000 device-epochs in 1.0 s (3,000/s on 2 workers); calibration: not compared');
    const none = { ...result, objective: evaluateObjective(parseObjective('max honestShare s.t. gini > 0.9', METRICS), sets) };
    expect(sweepSummaryLines(none, [])[0]).toBe('objective max honestShare s.t. gini > 0.9: no set meets the constraints (0 of 3 feasible)');
    expect(sweepSummaryLines(none, []).length).toBe(4);
  });
});
