import { describe, expect, it } from 'vitest';
import type { LooseSweep } from '../../reports/sweep/loose-sweep.ts';
import { looksGeometric, sweepGrid } from '../../reports/sweep/sweep-grid.ts';
import { metricGroups } from '../../reports/sweep/sweep-metrics-info.ts';
import { objectiveMarks } from '../../reports/sweep/objective-marks.ts';
import { sweepPageData } from '../../reports/sweep/sweep-page-data.ts';
import type { SweepResult, SweepSetResult } from '../../reports/sweep/sweep-result.ts';
import { FAKE_METRICS, fakeSweep } from './fake-sweep.ts';

/** A hand-made sweep over the given axes (fake): set i's metric `m` has mean i, sd 0.1·i, min i − 1, max i + 1. */
function handMade(axes: Array<[string, string[]]>, options: { skip?: number[]; metrics?: string[] } = {}): SweepResult {
  const combos = axes.reduce<Array<Record<string, string>>>((acc, [name, values]) => acc.flatMap((c) => values.map((v) => ({ ...c, [name]: v }))), [{}]);
  const metricNames = options.metrics ?? ['m'];
  const sets: SweepSetResult[] = combos
    .map((params, id) => ({ id, params, label: Object.entries(params).map(([k, v]) => `${k}=${v}`).join(','), metrics: Object.fromEntries(metricNames.map((n) => [n, { mean: id, sd: 0.1 * id, min: id - 1, max: id + 1 }])) }))
    .filter((s) => !(options.skip ?? []).includes(s.id));
  return {
    ...fakeSweep(),
    axes: axes.map(([name, values]) => ({ name, values })),
    metrics: metricNames.map((name) => ({ name, label: name.toUpperCase(), unit: 'u', description: '' })),
    sets,
    objective: undefined,
  };
}

describe('sweep page: the sets placed on the grid (hand-made sweeps, fakes)', () => {
  it('behavior: x is the first axis, numeric and ascending whatever the order given; one series per value of the other axis', () => {
    const grid = sweepGrid(handMade([['cap', ['200', '50', '125']], ['emission', ['1000', '2000']]]));
    // Sets in grid order: (200,1000)=0 (200,2000)=1 (50,1000)=2 (50,2000)=3 (125,1000)=4 (125,2000)=5.
    expect(grid.x).toEqual({ name: 'cap', values: ['50', '125', '200'], numeric: true, log: false, x: [50, 125, 200] });
    expect(grid.series).toEqual([
      { label: 'emission=1000', setIds: [2, 4, 0] },
      { label: 'emission=2000', setIds: [3, 5, 1] },
    ]);
    expect(grid.unplaced).toEqual([]);
    expect(grid.note).toBeNull();
  });

  it('behavior: with three axes a series is each combination of the second and third, the second varying slowest; combinations without a set are left out', () => {
    const grid = sweepGrid(handMade([['cap', ['50', '100']], ['emission', ['1', '2']], ['flagPenalty', ['reading', 'epoch']]], { skip: [3, 7] }));
    // (cap, emission, flagPenalty) in grid order; sets 3 = (50,2,epoch) and 7 = (100,2,epoch) are missing.
    expect(grid.series).toEqual([
      { label: 'emission=1, flagPenalty=reading', setIds: [0, 4] },
      { label: 'emission=1, flagPenalty=epoch', setIds: [1, 5] },
      { label: 'emission=2, flagPenalty=reading', setIds: [2, 6] },
    ]);
    const partly = sweepGrid(handMade([['cap', ['50', '100']], ['emission', ['1', '2']]], { skip: [1] }));
    expect(partly.series).toEqual([{ label: 'emission=1', setIds: [0, 2] }, { label: 'emission=2', setIds: [null, 3] }]);
  });

  it('behavior: with one axis there is one series, unnamed (the chart names it by its metric)', () => {
    const grid = sweepGrid(handMade([['cap', ['50', '100', '150']]]));
    expect(grid.series).toEqual([{ label: '', setIds: [0, 1, 2] }]);
    expect(grid.otherAxes).toEqual([]);
  });

  it('behavior: an axis of words, or of numbers that are one number twice ("1e3", "1000"), is drawn by position in the order given', () => {
    expect(sweepGrid(handMade([['flagPenalty', ['reading', 'epoch']]])).x).toEqual({ name: 'flagPenalty', values: ['reading', 'epoch'], numeric: false, log: false, x: [0, 1] });
    expect(sweepGrid(handMade([['emission', ['1e3', '1000', '500']]])).x).toMatchObject({ numeric: false, values: ['1e3', '1000', '500'], x: [0, 1, 2] });
    expect(sweepGrid(handMade([['yearlyDecay', ['0.3', '.2', '1e-1']]])).x).toMatchObject({ numeric: true, log: false, values: ['1e-1', '.2', '0.3'], x: [0.1, 0.2, 0.3] });
  });

  it('behavior: a doubling axis is drawn at log10 of its values; an evenly stepped one, or one of two values, stays linear', () => {
    const x = sweepGrid(handMade([['cap', ['400', '50', '200', '100']]])).x!;
    expect(x.log).toBe(true);
    expect(x.values).toEqual(['50', '100', '200', '400']);
    expect(x.x.map((v) => 10 ** v)).toEqual([50, 100, 200, 400].map((v) => expect.closeTo(v, 9)));
    expect(looksGeometric([50, 100, 150, 200])).toBe(false);
    expect(looksGeometric([10, 20, 50, 100, 200])).toBe(true);
    expect(looksGeometric([50, 100])).toBe(false);
    expect(looksGeometric([0, 10, 100])).toBe(false);
  });

  it('behavior: each chart carries mean, sd, min and max per series aligned with x; a set without the metric is a gap', () => {
    const sweep = handMade([['cap', ['50', '100']], ['emission', ['1', '2']]], { metrics: ['a', 'b'] });
    const sets = sweep.sets as SweepSetResult[];
    sets[3] = { ...sets[3]!, metrics: { a: sets[3]!.metrics.a! } };
    const data = sweepPageData(sweep);
    const b = data.charts.find((c) => c.id === 'b')!;
    // Series emission=1: sets 0 (cap 50) and 2 (cap 100); emission=2: sets 1 and 3.
    expect(b.mean).toEqual([[0, 2], [1, null]]);
    expect(b.sd).toEqual([[0, 0.2], [0.1, null]]);
    expect(b.min).toEqual([[-1, 1], [0, null]]);
    expect(b.max).toEqual([[1, 3], [2, null]]);
    expect(b.missing).toBeNull();
    expect(data.charts.map((c) => [c.id, c.label, c.unit])).toEqual([['a', 'A', 'u'], ['b', 'B', 'u']]);
  });

  it('behavior: the best set is located on the grid for its ring; a metric no set has says so', () => {
    const sweep = { ...handMade([['cap', ['50', '100']], ['emission', ['1', '2']]]), objective: { text: 'max m', bestSetId: 1, feasibleSets: 4 } };
    const data = sweepPageData({ ...sweep, metrics: [...sweep.metrics, { name: 'ghost', label: 'Ghost', unit: '', description: '' }] });
    expect(data.best).toEqual({ setId: 1, x: 0, series: 1 });
    expect(data.charts.find((c) => c.id === 'ghost')!.missing).toBe('no set has ghost');
    expect(sweepPageData({ ...sweep, objective: { text: 'max m', feasibleSets: 0 } }).best).toBeNull();
  });

  it('behavior: metrics are grouped by their prefix, fleet-wide first, in the order the sweep lists them', () => {
    expect(metricGroups(FAKE_METRICS).map((g) => [g.title, g.metrics.length])).toEqual([
      ['Fleet-wide', 6],
      ['Reward per honest device, by motion profile', 3],
      ['Reward captured per adversary device, by profile: the cost of cheating', 3],
    ]);
    const odd = metricGroups([{ name: 'x.one', label: '', unit: '', description: '' }, { name: 'gini', label: '', unit: '', description: '' }, { name: 'x.two', label: '', unit: '', description: '' }]);
    expect(odd.map((g) => [g.title, g.metrics.map((m) => m.name)])).toEqual([['x', ['x.one', 'x.two']], ['Fleet-wide', ['gini']]]);
  });

  it('behavior: a sweep with no sets has no series and nothing to place; its charts say why', () => {
    const data = sweepPageData({ ...fakeSweep(), sets: [] });
    expect(data.series).toEqual([]);
    expect(data.charts.every((c) => c.missing === 'no set on the grid')).toBe(true);
    expect(data.notes).toEqual([]);
  });

  it('error: an older sweep.json without axes, params or metrics is placed from the sets\' params and labels, and says what it read off them', () => {
    const sweep = handMade([['cap', ['50', '100']], ['emission', ['1', '2']]]) as unknown as Record<string, unknown> & { sets: Array<Record<string, unknown>> };
    delete sweep.axes;
    delete sweep.metrics;
    delete sweep.sets[2]!.params; // cap=100,emission=1: read off its label
    delete sweep.sets[3]!.params;
    sweep.sets[3]!.label = 'emission=2'; // no cap: cannot be placed
    const data = sweepPageData(sweep as LooseSweep);
    expect(data.x).toMatchObject({ name: 'cap', values: ['50', '100'] });
    expect(data.series).toEqual([{ label: 'emission=1', setIds: [0, 2] }, { label: 'emission=2', setIds: [1, null] }]);
    expect(data.charts.map((c) => [c.id, c.label, c.unit])).toEqual([['m', 'm', '']]);
    expect(data.notes).toEqual([
      'The grid\'s axes are not in this sweep (sweep.json has no axes): read off the sets\' parameters.',
      'The metrics\' labels and units are not in this sweep (sweep.json has no metrics): named by key.',
      'Not on the charts: emission=2: no value for cap.',
    ]);
  });

  it('error: sets with an id twice, or two sets in one grid cell, are kept off the charts and named', () => {
    const sweep = handMade([['cap', ['50', '100']]]);
    const sets = [...sweep.sets, { ...sweep.sets[0]!, label: 'again' }, { ...sweep.sets[1]!, id: 7, label: 'twin' }];
    const grid = sweepGrid({ ...sweep, sets });
    expect(grid.series).toEqual([{ label: '', setIds: [0, 1] }]);
    expect(grid.unplaced).toEqual(['again: id 0 twice', 'twin: the grid cell of set 1 again']);
  });

  it('behavior: the objective\'s text becomes marks: its metric\'s chart says max or min, each constraint a bound on its metric\'s chart', () => {
    expect(objectiveMarks('max honestShare s.t. gini < 0.4 and top10Share <= 50%')).toEqual({
      direction: 'max',
      metric: 'honestShare',
      constraints: [{ metric: 'gini', op: '<', bound: 0.4, source: 'gini < 0.4' }, { metric: 'top10Share', op: '<=', bound: 0.5, source: 'top10Share <= 50%' }],
    });
    expect(objectiveMarks('MIN costPerKm')).toEqual({ direction: 'min', metric: 'costPerKm', constraints: [] });
    const data = sweepPageData(fakeSweep());
    const chart = (id: string) => data.charts.find((c) => c.id === id)!;
    expect([chart('honestShare').objective, chart('honestShare').bounds]).toEqual(['max', []]);
    expect([chart('gini').objective, chart('gini').bounds]).toEqual([null, [{ op: '<', bound: 0.4, source: 'gini < 0.4' }]]);
    expect([chart('emission').objective, chart('emission').bounds]).toEqual([null, []]);
  });

  it('error: an objective text the page cannot read (another grammar, a bad constraint) draws no marks', () => {
    expect(objectiveMarks('maximise honestShare')).toBeNull();
    expect(objectiveMarks('max honestShare s.t. gini == 0.4')).toBeNull();
    expect(objectiveMarks('max honestShare s.t. gini < 4 ms')).toBeNull();
    expect(objectiveMarks(undefined)).toBeNull();
    const data = sweepPageData({ ...fakeSweep(), objective: { text: 'best of all', bestSetId: 4, feasibleSets: 12 } });
    expect(data.charts.every((c) => c.objective === null && c.bounds.length === 0)).toBe(true);
    expect(data.best).toEqual({ setId: 4, x: 1, series: 1 });
  });
});
