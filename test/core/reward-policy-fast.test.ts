import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, epochRewards, GWEI, type DeviceEpochFacts, type RewardPolicy } from '../../core/reward-policy/index.ts';
import { fastRewardsOf } from '../support/fast-rewards.ts';
import { FUZZ_SEED } from '../fuzz/fuzz-support.ts';

const factsArb = fc.uniqueArray(
  fc.record({
    deviceIndex: fc.integer({ min: 1, max: 2000 }),
    countedSamples: fc.integer({ min: 0, max: 15 }),
    stepUnits: fc.bigInt({ min: 0n, max: 500_000n }),
    flaggedReadings: fc.integer({ min: 0, max: 2 }),
    cells: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 200, selector: (f) => f.deviceIndex },
) as fc.Arbitrary<DeviceEpochFacts[]>;

const policyArb: fc.Arbitrary<RewardPolicy> = fc.record({
  perEpochWei: fc.bigInt({ min: 1n, max: 10n ** 12n }).map((g) => g * GWEI),
  cap: fc.option(fc.bigInt({ min: 1n, max: 20_000n }), { nil: undefined }),
  min: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
  penalty: fc.constantFrom('reading' as const, 'epoch' as const),
  rate: fc.boolean(),
}).map(({ perEpochWei, cap, min, penalty, rate }) => ({
  ...defaultPolicy({ unitsPerSample: 1000n, maxStepE7: 20_000n, rewardPerUnitWei: 10n ** 12n }),
  ...(rate ? {} : { emission: { kind: 'constant' as const, perEpochWei } }),
  coverage: { resolution: 8, unitsPerCell: 300n, densityTarget: 2 },
  flagPenalty: penalty,
  ...(cap === undefined ? {} : { capUnits: cap }),
  ...(min === undefined ? {} : { minSamples: min }),
}));

describe('reward policy, fast twin', () => {
  it('behavior: agrees with the exact rule on units exactly and on every reward within 1 gwei', () => {
    fc.assert(fc.property(policyArb, factsArb, fc.integer({ min: 0, max: 30 }), (policy, facts, epoch) => {
      const exact = epochRewards(policy, epoch, facts);
      const { total, units, reward } = fastRewardsOf(policy, epoch, facts);
      expect(total).toBe(Number(exact.totalUnits));
      exact.devices.forEach((d, i) => {
        expect(units[i]).toBe(Number(d.units));
        const tolerance = policy.emission.kind === 'rate' ? Number(d.rewardWei) * 1e-15 : 1e9;
        expect(Math.abs(reward[i]! - Number(d.rewardWei))).toBeLessThanOrEqual(tolerance);
      });
    }), { seed: FUZZ_SEED, numRuns: 200 });
  });

  it('behavior: a pro-rata reward is the exact rule\'s gwei to the last gwei while u · E_e/1e9 < 2^53', () => {
    fc.assert(fc.property(policyArb, factsArb, fc.bigInt({ min: 1n, max: 10n ** 9n }), (policy, facts, gwei) => {
      const p = { ...policy, emission: { kind: 'constant' as const, perEpochWei: gwei * GWEI } };
      const exact = epochRewards(p, 0, facts);
      const { reward } = fastRewardsOf(p, 0, facts);
      exact.devices.forEach((d, i) => expect(BigInt(Math.round(reward[i]! / 1e9))).toBe(d.rewardWei / GWEI));
    }), { seed: FUZZ_SEED, numRuns: 300 });
  });
});
