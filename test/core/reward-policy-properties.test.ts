import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, epochRewards, GWEI, scheduledEmissionWei, type DeviceEpochFacts, type Emission, type RewardPolicy } from '../../core/reward-policy/index.ts';
import { FUZZ_SEED } from '../fuzz/fuzz-support.ts';

/** Properties over random epochs and policies, from the fuzz tests' fixed seed. */
const options = { seed: FUZZ_SEED, numRuns: 300 };

const factsArb = fc.uniqueArray(
  fc.record({
    deviceIndex: fc.integer({ min: 1, max: 64 }),
    countedSamples: fc.integer({ min: 0, max: 8 }),
    stepUnits: fc.bigInt({ min: 0n, max: 200_000n }),
    flaggedReadings: fc.integer({ min: 0, max: 3 }),
    cells: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 6 }),
  }),
  { minLength: 1, maxLength: 20, selector: (f) => f.deviceIndex },
) as fc.Arbitrary<DeviceEpochFacts[]>;

const gweiArb = fc.bigInt({ min: 1n, max: 10n ** 15n }).map((g) => g * GWEI);
const emissionArb: fc.Arbitrary<Emission> = fc.oneof(
  gweiArb.map((perEpochWei) => ({ kind: 'constant' as const, perEpochWei })),
  fc.tuple(gweiArb, fc.integer({ min: 1, max: 10 })).map(([initialWei, everyEpochs]) => ({ kind: 'halving' as const, initialWei, everyEpochs })),
  fc.tuple(gweiArb, fc.double({ min: 0, max: 0.99, noNaN: true }), fc.integer({ min: 1, max: 365 })).map(([initialWei, yearlyDecay, epochsPerYear]) => ({ kind: 'decay' as const, initialWei, yearlyDecay, epochsPerYear })),
);

const policyArb: fc.Arbitrary<RewardPolicy> = fc.record({
  emission: emissionArb,
  capUnits: fc.option(fc.bigInt({ min: 1n, max: 100_000n }), { nil: undefined }),
  minSamples: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  flagPenalty: fc.constantFrom('reading' as const, 'epoch' as const),
  coverage: fc.option(fc.record({ resolution: fc.constant(8), unitsPerCell: fc.bigInt({ min: 1n, max: 5000n }), densityTarget: fc.integer({ min: 1, max: 4 }) }), { nil: undefined }),
}).map((p) => {
  const base: RewardPolicy = { ...defaultPolicy({ unitsPerSample: 1000n, maxStepE7: 20_000n, rewardPerUnitWei: 0n }), emission: p.emission, flagPenalty: p.flagPenalty };
  return { ...base, ...(p.capUnits === undefined ? {} : { capUnits: p.capUnits }), ...(p.minSamples === undefined ? {} : { minSamples: p.minSamples }), ...(p.coverage === undefined ? {} : { coverage: p.coverage }) };
});

describe('reward policy properties', () => {
  it('behavior: Σ rewards + dust = E_e, Σ ≤ E_e, each reward ≤ its exact share, dust < 1 gwei per paid device', () => {
    fc.assert(fc.property(policyArb, factsArb, fc.integer({ min: 0, max: 50 }), (policy, facts, epoch) => {
      const r = epochRewards(policy, epoch, facts);
      expect(r.emissionWei).toBe(scheduledEmissionWei(policy.emission, epoch));
      expect(r.paidWei + r.dustWei).toBe(r.emissionWei);
      expect(r.paidWei <= r.emissionWei).toBe(true);
      for (const d of r.devices) {
        expect(d.rewardWei % GWEI).toBe(0n);
        expect(d.rewardWei * r.totalUnits <= d.units * r.emissionWei).toBe(true);
        if (policy.capUnits !== undefined) expect(d.units <= policy.capUnits).toBe(true);
      }
      const earning = BigInt(r.devices.filter((d) => d.units > 0n).length);
      if (r.totalUnits > 0n) expect(r.dustWei < earning * GWEI).toBe(true);
    }), options);
  });

  it('behavior: more step distance never lowers a device\'s units or reward', () => {
    fc.assert(fc.property(policyArb, factsArb, fc.bigInt({ min: 1n, max: 50_000n }), (policy, facts, extra) => {
      const before = epochRewards(policy, 0, facts).devices[0]!;
      const first = facts.reduce((a, b) => (a.deviceIndex < b.deviceIndex ? a : b));
      const more = facts.map((f) => (f === first ? { ...f, stepUnits: f.stepUnits + extra } : f));
      const after = epochRewards(policy, 0, more).devices[0]!;
      expect(after.units >= before.units).toBe(true);
      expect(after.rewardWei >= before.rewardWei).toBe(true);
    }), options);
  });

  it('behavior: halving and decay never emit more in a later epoch', () => {
    fc.assert(fc.property(emissionArb, fc.integer({ min: 0, max: 400 }), (emission, e) => {
      expect(scheduledEmissionWei(emission, e + 1)! <= scheduledEmissionWei(emission, e)!).toBe(true);
    }), options);
  });
});
