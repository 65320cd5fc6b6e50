import { describe, expect, it } from 'vitest';
import { defaultPolicy, GWEI, validatePolicy, type RewardPolicy } from '../../core/reward-policy/index.ts';
import { isPinbenchError } from '../../core/errors.ts';

const TOKEN = 10n ** 18n;
const BASE = defaultPolicy({ unitsPerSample: 1000n, maxStepE7: 20_000n, rewardPerUnitWei: 10n ** 12n });
const constant = (perEpochWei: bigint): RewardPolicy => ({ ...BASE, emission: { kind: 'constant', perEpochWei } });

function message(policy: RewardPolicy, context = {}): string {
  try {
    validatePolicy(policy, context);
  } catch (error) {
    if (isPinbenchError(error, 'POLICY_INVALID')) return error.message;
    throw error;
  }
  return 'valid';
}

describe('reward policy validation', () => {
  it('behavior: today\'s rule and a full policy are valid', () => {
    expect(message(BASE, { epochs: 10_000, readingsPerDevice: 8 })).toBe('valid');
    expect(message({
      ...constant(1000n * TOKEN), coverage: { resolution: 8, unitsPerCell: 100n, densityTarget: 2 }, capUnits: 50_000n, minSamples: 2,
      flagPenalty: 'epoch', stake: { perDeviceWei: TOKEN, slashBps: 500 },
    }, { epochs: 30, readingsPerDevice: 4 })).toBe('valid');
  });

  it('args: each bad parameter is named with why, one line each', () => {
    const cases: [RewardPolicy, string][] = [
      [constant(0n), 'policy.emission.perEpochWei: expected a positive whole number of wei, got 0'],
      [constant(1_500_000_001n), 'policy.emission.perEpochWei: expected a whole number of gwei (a multiple of 1000000000 wei: the contract accrues pro-rata rewards in gwei), got 1500000001 wei; use 1000000000 or 2000000000'],
      [{ ...BASE, emission: { kind: 'halving', initialWei: GWEI, everyEpochs: 0 } }, 'policy.emission.everyEpochs: expected a positive whole number of epochs, got 0'],
      [{ ...BASE, emission: { kind: 'decay', initialWei: GWEI, yearlyDecay: 1, epochsPerYear: 365 } }, 'policy.emission.yearlyDecay: expected a fraction in [0, 1) (0.2 = a fifth less each year), got 1'],
      [{ ...BASE, emission: { kind: 'decay', initialWei: GWEI, yearlyDecay: -0.1, epochsPerYear: 2.5 } }, 'policy.emission.yearlyDecay: expected a fraction in [0, 1) (0.2 = a fifth less each year), got -0.1\npolicy.emission.epochsPerYear: expected a whole number of epochs per year in [1, 31536000], got 2.5'],
      [{ ...BASE, emission: { kind: 'rate', rewardPerUnitWei: -1n } }, 'policy.emission.rewardPerUnitWei: expected a whole number of wei in [0, 2^128), got -1'],
      [{ ...BASE, unitsPerSample: 1n << 32n }, 'policy.unitsPerSample: expected a whole number in [0, 4294967295] (the circuit range-checks it to 32 bits), got 4294967296'],
      [{ ...BASE, coverage: { resolution: 16, unitsPerCell: 0n, densityTarget: 0 } }, 'policy.coverage.resolution: expected an h3 resolution, a whole number in [0, 15], got 16\npolicy.coverage.unitsPerCell: expected a positive whole number of units below 2^32, got 0\npolicy.coverage.densityTarget: expected a positive whole number of devices per cell, at most 1000000, got 0'],
      [{ ...BASE, capUnits: 0n }, "policy.capUnits: expected a positive whole number of units below 2^40 (a device's units travel in 40 bits), got 0"],
      [{ ...BASE, minSamples: 0 }, 'policy.minSamples: expected a whole number of readings in [1, 15] (a device-epoch counts at most 15 readings: the circuit takes at most 15), got 0'],
      [{ ...BASE, flagPenalty: 'device' as never }, 'policy.flagPenalty: expected one of: reading, epoch, got device'],
      [{ ...BASE, stake: { perDeviceWei: 0n, slashBps: 10_001 } }, 'policy.stake.perDeviceWei: expected a positive whole number of wei below 2^128, got 0\npolicy.stake.slashBps: basis points of the stake left, a whole number in [0, 10000], got 10001'.replace('slashBps: basis', 'slashBps: expected basis')],
      [{ ...BASE, maxSupplyWei: 10n ** 29n }, "policy.maxSupplyWei: expected a positive whole number of wei of at most 9223372036854775807000000000 ((2^63 − 1) gwei, what one device's 63-bit accrual field holds), got 100000000000000000000000000000"],
      [{ ...BASE, emission: { kind: 'bogus' } as never }, 'policy.emission.kind: expected one of: rate, constant, halving, decay, got bogus'],
    ];
    for (const [policy, expected] of cases) expect(message(policy)).toBe(expected);
  });

  it('args: minSamples above the circuit\'s readings per device names circuit.readingsPerDevice', () => {
    expect(message({ ...BASE, minSamples: 5 }, { readingsPerDevice: 4 })).toBe('policy.minSamples: expected a whole number of readings in [1, 4] (a device-epoch counts at most 4 readings: circuit.readingsPerDevice), got 5');
  });

  it('args: an emission over the scenario\'s epochs above maxSupplyWei is refused with the sum', () => {
    expect(message(constant(10n ** 27n), { epochs: 40 })).toBe('policy.emission: 40 epochs × 1000000000000000000000000000 wei = 40000000000000000000000000000 wei (40000000000 tokens) exceeds maxSupplyWei 1000000000000000000000000000 wei (1000000000 tokens); lower emission.perEpochWei, the epochs, or raise maxSupplyWei');
    // 10^9 tokens over 1000 epochs fits exactly; one gwei more per epoch does not.
    expect(message(constant(10n ** 6n * TOKEN), { epochs: 1000 })).toBe('valid');
    expect(message(constant(10n ** 6n * TOKEN + GWEI), { epochs: 1000 })).toBe('policy.emission: 1000 epochs × 1000000000000001000000000 wei = 1000000000000001000000000000 wei (1000000000.000001 tokens) exceeds maxSupplyWei 1000000000000000000000000000 wei (1000000000 tokens); lower emission.perEpochWei, the epochs, or raise maxSupplyWei');
    const halving: RewardPolicy = { ...BASE, emission: { kind: 'halving', initialWei: 6n * 10n ** 8n * TOKEN, everyEpochs: 1 } };
    // 6e8 + 3e8 + 1.5e8 = 10.5e8 tokens > 10^9.
    expect(message(halving, { epochs: 2 })).toBe('valid');
    expect(message(halving, { epochs: 3 })).toBe('policy.emission: the halving schedule from 600000000000000000000000000 wei over 3 epochs totals 1050000000000000000000000000 wei (1050000000 tokens), which exceeds maxSupplyWei 1000000000000000000000000000 wei (1000000000 tokens); lower emission.initialWei, the epochs, or raise maxSupplyWei');
    // A rate schedules nothing, so no supply check applies to it.
    expect(message(BASE, { epochs: 10_000 })).toBe('valid');
  });
});
