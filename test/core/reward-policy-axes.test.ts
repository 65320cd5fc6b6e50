import { describe, expect, it } from 'vitest';
import { applyAxes, applyAxis, defaultPolicy, GWEI, parseGridAxis, POLICY_AXIS_NAMES, tokensToWei, type RewardPolicy } from '../../core/reward-policy/index.ts';

const TOKEN = 10n ** 18n;
const BASE = defaultPolicy({ unitsPerSample: 1000n, maxStepE7: 20_000n, rewardPerUnitWei: 10n ** 12n });

describe('reward policy grid axes', () => {
  it('behavior: the axes the issue names exist, in the order they are applied', () => {
    expect(POLICY_AXIS_NAMES).toEqual(['emission', 'rewardPerUnit', 'halvingEvery', 'yearlyDecay', 'epochsPerYear', 'unitsPerSample', 'maxStepE7', 'coverageResolution', 'coverageWeight', 'densityTarget', 'cap', 'minSamples', 'flagPenalty', 'stake', 'slash', 'maxSupply']);
  });

  it('behavior: token amounts are tokens: emission=1000 is 1000e18 wei per epoch, and turns a rate into a constant', () => {
    expect(applyAxis(BASE, 'emission', '1000').emission).toEqual({ kind: 'constant', perEpochWei: 1000n * TOKEN });
    expect(applyAxis(BASE, 'emission', 0.5).emission).toEqual({ kind: 'constant', perEpochWei: TOKEN / 2n });
    expect(tokensToWei('1e3')).toBe(1000n * TOKEN);
    expect(tokensToWei('0.000000000000000001')).toBe(1n);
    expect(tokensToWei('0.0000000000000000001')).toBeUndefined();
    expect(applyAxis(BASE, 'stake', '2').stake).toEqual({ perDeviceWei: 2n * TOKEN, slashBps: 0 });
  });

  it('behavior: applyAxes applies in the list\'s order, so emission comes before halvingEvery and stake before slash', () => {
    const p: RewardPolicy = applyAxes(BASE, { slash: 500, halvingEvery: 10, emission: 1000, stake: 1, cap: 50, flagPenalty: 'epoch' });
    expect(p).toMatchObject({ emission: { kind: 'halving', initialWei: 1000n * TOKEN, everyEpochs: 10 }, stake: { perDeviceWei: TOKEN, slashBps: 500 }, capUnits: 50n, flagPenalty: 'epoch' });
    const decay = applyAxes(BASE, { emission: 100, yearlyDecay: 0.2 }, { epochsPerYear: 52 });
    expect(decay.emission).toEqual({ kind: 'decay', initialWei: 100n * TOKEN, yearlyDecay: 0.2, epochsPerYear: 52 });
  });

  it('args: an unknown name is refused with the closest name', () => {
    expect(() => applyAxis(BASE, 'capp', '5')).toThrow('--grid capp: no policy parameter is named capp; did you mean cap?');
    expect(() => parseGridAxis('emision=1000')).toThrow('--grid emision: no policy parameter is named emision; did you mean emission?');
    expect(() => parseGridAxis('zzzzzzzzzzzz=1')).toThrow(`--grid zzzzzzzzzzzz: no policy parameter is named zzzzzzzzzzzz; the axes are: ${POLICY_AXIS_NAMES.join(', ')}`);
  });

  it('behavior: a grid axis is a list or a range from..to:step', () => {
    expect(parseGridAxis('cap=50,100,200')).toEqual({ name: 'cap', values: ['50', '100', '200'] });
    expect(parseGridAxis('cap=50..200:50')).toEqual({ name: 'cap', values: ['50', '100', '150', '200'] });
    expect(parseGridAxis('yearlyDecay=0.1..0.3:0.1')).toEqual({ name: 'yearlyDecay', values: ['0.1', '0.2', '0.3'] });
  });

  it('args: an empty list, an invalid range or a value out of range names the axis and why', () => {
    const cases: [string, string][] = [
      ['cap=', '--grid cap: no values; give a list such as cap=1,2,3 or a range from..to:step'],
      ['cap', '--grid cap: no values; give a list such as cap=1,2,3 or a range from..to:step'],
      ['cap=200..50:50', '--grid cap=200..50:50: the range starts above its end (200 > 50); write it from..to with from ≤ to'],
      ['cap=50..200:0', '--grid cap=50..200:0: the step must be a positive number, got 0'],
      ['cap=50..200', '--grid cap=50..200: expected a range from..to:step such as cap=50..200:50'],
      ['cap=1..100000:1', '--grid cap=1..100000:1: makes 100000 values, more than 10000; use a larger step'],
      ['cap=0,5', '--grid cap: expected a whole number in [1, 1099511627775], got 0'],
      ['cap=5,5', '--grid cap: a value is listed twice (5,5); list each once'],
      ['yearlyDecay=1', '--grid yearlyDecay: expected a fraction in [0, 1) (0.2 = a fifth less each year), got 1'],
      ['emission=0.0000000001', '--grid emission: expected a whole number of gwei (at most 9 decimals: the contract accrues gwei), got 0.0000000001'],
      ['emission=lots', '--grid emission: expected an amount in tokens such as 1000 or 0.5, got lots'],
      ['slash=10001', '--grid slash: expected a whole number in [0, 10000], got 10001'],
      ['flagPenalty=device', '--grid flagPenalty: expected one of: reading, epoch, got device'],
      ['=5', '--grid =5: expected name=values such as cap=50,100,200 or cap=50..200:50'],
    ];
    for (const [text, expected] of cases) expect(() => parseGridAxis(text), text).toThrow(expected);
  });

  it('args: an axis the policy cannot take says what to add', () => {
    expect(() => applyAxis(BASE, 'halvingEvery', 10)).toThrow('--grid halvingEvery: halvingEvery needs a per-epoch emission, and the policy pays a rate (reward.rewardPerUnitWei per unit); add --grid emission=<tokens> or give policy.emission in the scenario');
    expect(() => applyAxis(BASE, 'slash', 100)).toThrow('--grid slash: the policy has no stake; add --grid stake=<tokens> or give policy.stake in the scenario');
    expect(() => applyAxis(BASE, 'densityTarget', 3)).toThrow('--grid densityTarget: the policy has no coverage; give policy.coverage (resolution, unitsPerCell, densityTarget) in the scenario');
    expect(() => applyAxis(BASE, 'epochsPerYear', 12)).toThrow('--grid epochsPerYear: applies to a decay emission; add --grid yearlyDecay=<fraction> or give policy.emission.kind: decay');
    const covered = { ...BASE, coverage: { resolution: 8, unitsPerCell: 10n, densityTarget: 1 } };
    expect(applyAxes(covered, { coverageWeight: 250, densityTarget: 3, coverageResolution: 9 }).coverage).toEqual({ resolution: 9, unitsPerCell: 250n, densityTarget: 3 });
    expect(applyAxis({ ...BASE, emission: { kind: 'constant', perEpochWei: GWEI } }, 'rewardPerUnit', '0.000001').emission).toEqual({ kind: 'rate', rewardPerUnitWei: 10n ** 12n });
  });
});
