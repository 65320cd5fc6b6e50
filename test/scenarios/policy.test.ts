import { checkStakeSupply, runPolicyOf } from '../../sim/run/run-policy.ts';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../core/reward-policy/index.ts';
import { parseScenario, parseScenarioText } from '../../scenarios/load.ts';

const BASE = { name: 'p', fleet: [{ count: 2 }], epochs: { lengthS: 60, count: 40 } };
const bigintsAsStrings = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));

describe('scenario policy block', () => {
  it('behavior: a scenario without policy gets today\'s rule, built from reward:', () => {
    const scenario = parseScenario({ ...BASE, reward: { unitsPerSample: 7, rewardPerUnitWei: '9' } }, 'p');
    expect(scenario.policy).toEqual(defaultPolicy({ unitsPerSample: 7n, maxStepE7: 20_000n, rewardPerUnitWei: 9n }));
  });

  it('behavior: a policy is parsed in full, and a parsed scenario stored as JSON (run.db) parses again to the same', () => {
    const scenario = parseScenarioText([
      'name: p', 'fleet: [{ count: 2 }]', 'epochs: { lengthS: 60, count: 40 }', 'policy:',
      '  emission: { kind: decay, initialWei: "1000000000000000000000", yearlyDecay: 0.2, epochsPerYear: 365 }',
      '  coverage: { resolution: 8, unitsPerCell: 100, densityTarget: 2 }', '  capUnits: 50000', '  minSamples: 2',
      '  flagPenalty: epoch', '  stake: { perDeviceWei: "1000000000000000000", slashBps: 500 }',
    ].join('\n'), 'p.yaml');
    expect(scenario.policy).toEqual({
      emission: { kind: 'decay', initialWei: 10n ** 21n, yearlyDecay: 0.2, epochsPerYear: 365 }, unitsPerSample: 1000n, maxStepE7: 20_000n,
      coverage: { resolution: 8, unitsPerCell: 100n, densityTarget: 2 }, capUnits: 50_000n, minSamples: 2, flagPenalty: 'epoch',
      stake: { perDeviceWei: 10n ** 18n, slashBps: 500 }, maxSupplyWei: 10n ** 27n,
    });
    expect(parseScenario(bigintsAsStrings(scenario), 'again').policy).toEqual(scenario.policy);
    expect(parseScenario(bigintsAsStrings(parseScenario(BASE, 'p')), 'again').policy).toEqual(parseScenario(BASE, 'p').policy);
  });

  it('args: a bad policy is one located line per problem, naming the parameter', () => {
    const text = ['name: p', 'fleet: [{ count: 2 }]', 'epochs: { lengthS: 60, count: 40 }', 'policy:', '  emission: { kind: constant, perEpochWei: "1000000000000000000000000000" }'].join('\n');
    expect(() => parseScenarioText(text, 'p.yaml')).toThrow([
      'p.yaml:5:13: policy.emission: 40 epochs × 1000000000000000000000000000 wei = 40000000000000000000000000000 wei (40000000000 tokens) exceeds maxSupplyWei 1000000000000000000000000000 wei (1000000000 tokens); lower emission.perEpochWei, the epochs, or raise maxSupplyWei',
    ].join('\n'));
    expect(() => parseScenario({ ...BASE, policy: { minSamples: 9 } }, 'p')).toThrow('p: policy.minSamples: expected a whole number of readings in [1, 4] (a device-epoch counts at most 4 readings: circuit.readingsPerDevice), got 9');
    expect(() => parseScenario({ ...BASE, policy: { unitsPerSample: 7 } }, 'p')).toThrow('p: policy.unitsPerSample: 7 differs from reward.unitsPerSample 1000; set it once, under reward (the circuit proves it)');
    expect(() => parseScenario({ ...BASE, policy: { emission: { kind: 'rate', rewardPerUnitWei: '5' } } }, 'p')).toThrow('p: policy.emission.rewardPerUnitWei: 5 differs from reward.rewardPerUnitWei 1000000000000; set the rate once, under reward');
    expect(() => parseScenario({ ...BASE, policy: { emisson: {} } }, 'p')).toThrow('p: policy.emisson: unknown key emisson; did you mean emission?');
  });

  it('behavior: a run applies any policy but today\'s rule through the policy, stakes included', () => {
    const base = { name: 'p', seed: 1, fleet: [{ count: 4 }], epochs: { lengthS: 12, count: 2 } };
    const today = parseScenario(base, 's.yaml');
    expect(runPolicyOf(today)).toBeUndefined();
    const pooled = parseScenario({ ...base, policy: { emission: { kind: 'constant', perEpochWei: '1000000000000000000000' } } }, 's.yaml');
    expect(runPolicyOf(pooled)).toBe(pooled.policy);
    const staked = parseScenario({ ...base, policy: { stake: { perDeviceWei: '1000', slashBps: 500 } } }, 's.yaml');
    expect(runPolicyOf(staked)).toBe(staked.policy);
  });

  it('args: stakes bonded at genesis count toward maxSupplyWei, at parse for the fleet and at run start with every device', () => {
    const base = { name: 'p', seed: 1, fleet: [{ count: 4 }], epochs: { lengthS: 12, count: 2 } };
    const stake = { perDeviceWei: '300000000000000000000', slashBps: 500 };
    expect(() => parseScenario({ ...base, policy: { stake, maxSupplyWei: '1000000000000000000000' } }, 's.yaml')).toThrow(
      's.yaml: policy.stake.perDeviceWei: 4 devices × 300000000000000000000 wei bonded at genesis = 1200000000000000000000 wei (1200 tokens), which exceeds maxSupplyWei 1000000000000000000000 wei (1000 tokens); lower stake.perDeviceWei or the fleet, or raise maxSupplyWei',
    );
    const pooled = { emission: { kind: 'constant', perEpochWei: '200000000000000000000' }, stake, maxSupplyWei: '1600000000000000000000' };
    const scenario = parseScenario({ ...base, policy: pooled }, 's.yaml');
    // 4 × 300 + 2 × 200 = 1600 tokens fit; a fifth device, attached at run start, does not.
    expect(() => checkStakeSupply(scenario.policy, scenario, 4)).not.toThrow();
    expect(() => checkStakeSupply(scenario.policy, scenario, 5)).toThrow(
      'policy.stake.perDeviceWei: 5 devices × 300000000000000000000 wei bonded at genesis = 1500000000000000000000 wei (1500 tokens), plus 400000000000000000000 wei (400 tokens) scheduled over 2 epochs, which exceeds maxSupplyWei 1600000000000000000000 wei (1600 tokens); lower stake.perDeviceWei or the fleet, or raise maxSupplyWei',
    );
  });
});
