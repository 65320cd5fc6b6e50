import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../scenarios/index.ts';
import { withParamSet } from '../../../sim/run/run-policy.ts';
import { gridSets, parseGrid } from '../../../sim/sweep/sweep-grid.ts';
import { planSweep } from '../../../sim/sweep/sweep-plan.ts';
import { sweepTestScenario } from './sweep-scenario.ts';

const TOKEN = 10n ** 18n;

describe('sweep grid and parameter sets', () => {
  it('grid: the product of the axes, the last varying fastest, labels in the order given', () => {
    const sets = gridSets(parseGrid(['cap=50,100', 'emission=1000..3000:1000']));
    expect(sets.map((s) => s.label)).toEqual([
      'cap=50,emission=1000', 'cap=50,emission=2000', 'cap=50,emission=3000',
      'cap=100,emission=1000', 'cap=100,emission=2000', 'cap=100,emission=3000',
    ]);
    expect(sets.map((s) => s.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sets[4]!.params).toEqual({ cap: '100', emission: '2000' });
  });

  it('param set: each set\'s policy is the one `pinbench run --params <label>` pays by', () => {
    const scenario = sweepTestScenario();
    const plan = planSweep(scenario, { grid: ['cap=100,2000', 'emission=2000', 'yearlyDecay=0.2', 'flagPenalty=epoch'], seeds: 1 });
    expect(plan.sets.map((s) => s.label)).toEqual(['cap=100,emission=2000,yearlyDecay=0.2,flagPenalty=epoch', 'cap=2000,emission=2000,yearlyDecay=0.2,flagPenalty=epoch']);
    plan.sets.forEach((set, i) => expect(plan.policies[i]).toEqual(withParamSet(scenario, set.label).policy));
    expect(plan.policies[0]!.capUnits).toBe(100n);
    // 90-second epochs: 350,400 a year.
    expect(plan.policies[0]!.emission).toEqual({ kind: 'decay', initialWei: 2000n * TOKEN, yearlyDecay: 0.2, epochsPerYear: 350_400 });
  });

  it('bad input: each refusal names the parameter and why', () => {
    expect(() => parseGrid([])).toThrow('--grid: no grid given; name at least one policy parameter and its values, e.g. --grid cap=50,100,200 --grid emission=1000,2000');
    expect(() => parseGrid(['cpa=50'])).toThrow('--grid cpa: no policy parameter is named cpa; did you mean cap?');
    expect(() => parseGrid(['cap='])).toThrow('--grid cap: no values; give a list such as cap=1,2,3 or a range from..to:step');
    expect(() => parseGrid(['cap=200..50:50'])).toThrow('--grid cap=200..50:50: the range starts above its end (200 > 50); write it from..to with from ≤ to');
    expect(() => parseGrid(['cap=50..200:0'])).toThrow('--grid cap=50..200:0: the step must be a positive number, got 0');
    expect(() => parseGrid(['cap=50', 'cap=100'])).toThrow('--grid cap: the axis is given twice; give all its values in one --grid cap=v1,v2,…');
    expect(() => parseGrid(['emision=5'])).toThrow('--grid emision: no policy parameter is named emision; did you mean emission?');
    expect(() => parseGrid(['cap=0'])).toThrow('--grid cap: expected a whole number in [1, 1099511627775], got 0');
  });

  it('bad input: a set whose emission over the scenario\'s epochs overflows the supply is refused before any work, named', () => {
    // 2 epochs × 6e8 tokens = 1.2e9 > the default supply of 1e9 tokens.
    expect(() => planSweep(sweepTestScenario(), { grid: ['emission=1000,600000000'], seeds: 1 })).toThrow(
      'parameter set emission=600000000: policy.emission: 2 epochs × 600000000000000000000000000 wei = 1200000000000000000000000000 wei (1200000000 tokens) exceeds maxSupplyWei 1000000000000000000000000000 wei (1000000000 tokens); lower emission.perEpochWei, the epochs, or raise maxSupplyWei',
    );
    // The same set passes over one epoch (--epochs 1).
    expect(planSweep(sweepTestScenario(), { grid: ['emission=600000000'], seeds: 1, epochs: 1 }).sets).toHaveLength(1);
    expect(() => planSweep(sweepTestScenario(), { grid: ['slash=100'], seeds: 1 })).toThrow('--grid slash: the policy has no stake; add --grid stake=<tokens> or give policy.stake in the scenario');
  });

  it('bad input: a set whose stakes for the fleet drawn, with the emission, overflow the supply is refused, named', () => {
    // 1,000 devices × 2e6 tokens at genesis = 2e9 tokens: above the default 1e9 (the scenario pays a rate: nothing scheduled).
    expect(() => planSweep(sweepTestScenario(), { grid: ['stake=1000,2000000'], seeds: 1, devices: 1000 })).toThrow(
      'parameter set stake=2000000: policy.stake.perDeviceWei: 1000 devices × 2000000000000000000000000 wei bonded at genesis = 2000000000000000000000000000 wei (2000000000 tokens), which exceeds maxSupplyWei 1000000000000000000000000000 wei (1000000000 tokens); lower stake.perDeviceWei or the fleet, or raise maxSupplyWei',
    );
    expect(planSweep(sweepTestScenario(), { grid: ['stake=2000000'], seeds: 1, devices: 10 }).sets).toHaveLength(1);
  });

  it('bad input: sweep flags out of range are SWEEP_INVALID, with what to give', () => {
    const s = sweepTestScenario();
    expect(() => planSweep(s, { grid: ['cap=5'], seeds: 0 })).toThrow('--seeds: expected a whole number ≥ 1, got 0; give how many seeded fleets each set runs, e.g. --seeds 10');
    expect(() => planSweep(s, { grid: ['cap=5'], seeds: 2, workers: 0 })).toThrow('--workers: expected a whole number ≥ 1, got 0; give the worker threads, e.g. --workers 2 (default: every core)');
    expect(() => planSweep(s, { grid: ['cap=5'], seeds: 2, viabilityTokens: -1 })).toThrow('--viability: expected tokens per device per epoch ≥ 0, got -1; e.g. --viability 0.5');
    expect(() => planSweep(s, { grid: ['cap=5'], seeds: 2, checkSeed: 2027 })).toThrow("--check-seed 2027: that is the scenario's own seed; give another one, e.g. --check-seed 2028");
    expect(() => planSweep(s, { grid: ['cap=5'], seeds: 2, objective: 'max honestShar' })).toThrow('--objective max honestShar: no metric is named honestShar; did you mean honestShare?');
    expect(() => planSweep(s, { grid: ['cap=5'], seeds: 0 })).toThrow(expect.objectContaining({ code: 'SWEEP_INVALID' }));
    expect(() => planSweep(s, { grid: ['cpa=5'], seeds: 1 })).toThrow(expect.objectContaining({ code: 'POLICY_AXIS_INVALID' }));
  });

  it('plan: seeds 1 … N, the scenario\'s devices (sybil clones counted) and epochs by default, one resolution without coverage', () => {
    const plan = planSweep(sweepTestScenario(), { grid: ['cap=5,6'], seeds: 3 });
    expect(plan.seeds).toEqual([1, 2, 3]);
    expect(plan.devices).toBe(10);
    expect(plan.epochs).toBe(2);
    expect(plan.resolutions).toEqual([8]);
    expect(plan.resolutionOf).toEqual([0, 0]);
    const covered = parseScenario({ ...rawWithCoverage() }, '(object)');
    const p2 = planSweep(covered, { grid: ['coverageResolution=7,9'], seeds: 1 });
    expect(p2.resolutions).toEqual([7, 9]);
  });
});

function rawWithCoverage() {
  return {
    name: 'cov', seed: 1, area: 'berlin',
    fleet: [{ count: 2, motion: 'car', uploadPeriodS: 5 }],
    epochs: { lengthS: 90, count: 2 }, time: { mode: 'accelerated' }, circuit: { batchSize: 4, readingsPerDevice: 8 },
    policy: { emission: { kind: 'constant', perEpochWei: '1000000000000000000000' }, coverage: { resolution: 8, unitsPerCell: 100, densityTarget: 2 } },
  };
}
