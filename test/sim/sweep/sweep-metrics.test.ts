import { describe, expect, it } from 'vitest';
import type { RewardPolicy } from '../../../core/reward-policy/index.ts';
import { poolStats, type Calibration, type RecordColumns } from '../../../sim/sweep/calibration.ts';
import { fleetRewards } from '../../../sim/sweep/sweep-fleet-rewards.ts';
import { gini, KM_PER_STEP_UNIT, profileGroups, summarize, sweepMetrics, top10Share } from '../../../sim/sweep/sweep-metrics.ts';

const TOKEN = 10n ** 18n;

/**
 * A calibration made by hand: one record per profile, so every seed draws the same fleet.
 * r0 (car, honest): 4 counted readings, 1000 step units, cells 0 and 1.
 * r1 (car · gps-spoofing): flagged, so both its selected readings are flagged and earn no readings or
 * distance (as calibrate records it), cell 1.
 */
function handCalibration(): Calibration {
  const records: RecordColumns = {
    countedSamples: Uint8Array.of(4, 0), stepUnits: Float64Array.of(1000, 0), flagged: Uint8Array.of(0, 1), flagMask: Uint16Array.of(0, 1), flaggedReadings: Uint8Array.of(0, 2),
    unflaggedSamples: Uint8Array.of(4, 2), unflaggedStepUnits: Float64Array.of(1000, 500), accepted: Uint32Array.of(4, 2), rejected: Uint32Array.of(0, 0),
    cellOffsets: Uint32Array.of(0, 2, 3), cells: Uint32Array.of(0, 1, 1),
  };
  const pool = (name: string, adversary: string | undefined, start: number) => ({ name, motion: 'car', faults: [], adversary, devices: 1, calibratedDevices: 1, start, end: start + 1, stats: poolStats(records, start, start + 1, 1000) });
  return {
    key: 'hand', scenario: { name: 'hand', seed: 1 }, settings: { epochs: 1, resolution: 8 }, rule: { readingsPerDevice: 8, unitsPerSample: 1000, maxStepE7: 100000 },
    epochLengthS: 86400, profiles: [pool('car', undefined, 0), pool('car · gps-spoofing', 'gps-spoofing', 1)], calibrationMs: 0, records, cellIds: ['a', 'b'],
  };
}

const policy: RewardPolicy = {
  emission: { kind: 'constant', perEpochWei: 900n * TOKEN },
  unitsPerSample: 1000n, maxStepE7: 100000n, flagPenalty: 'reading', maxSupplyWei: 10n ** 9n * TOKEN,
  coverage: { resolution: 8, unitsPerCell: 600n, densityTarget: 1 },
  stake: { perDeviceWei: 10n * TOKEN, slashBps: 5000 },
};

describe('sweep metrics, worked by hand', () => {
  it('gini and top-10 % share: known values', () => {
    // Σ|x_i − x_j| over ordered pairs = 20; / (2 · 4² · 2.5) = 0.25.
    expect(gini([4, 1, 3, 2])).toBeCloseTo(0.25, 12);
    // One device takes all of 4: (n − 1) / n.
    expect(gini([0, 0, 1, 0])).toBeCloseTo(0.75, 12);
    expect(gini([5, 5, 5])).toBeCloseTo(0, 12);
    expect(gini([0, 0])).toBe(0);
    // ceil(11 / 10) = 2 devices: (10 + 9) / 55.
    expect(top10Share([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0])).toBeCloseTo(19 / 55, 12);
    expect(summarize([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3), min: 1, max: 4 });
    expect(summarize([7])).toEqual({ mean: 7, sd: 0, min: 7, max: 7 });
  });

  it('a fleet of two honest cars and one spoofer over two epochs: coverage density, pro rata in gwei, slashes, every metric', () => {
    const c = handCalibration();
    const fleet = Uint16Array.of(0, 0, 1);
    const paid = fleetRewards(c, policy, fleet, 2, 42);
    // Cell 0 holds 2 devices: floor(600 · 1 / 2) = 300 each; cell 1 holds 3: 200 each.
    // Units: cars 4·1000 + 1000 + 300 + 200 = 5500; the spoofer 200 (coverage alone; 'reading' keeps it). T = 11200.
    // Per epoch: floor(5500 · 900e9 / 11200) = 441964285714 gwei; floor(200 · 900e9 / 11200) = 16071428571 gwei.
    const car = 2 * 441964285714e9;
    const spoofer = 2 * 16071428571e9;
    expect(Array.from(paid.rewardWei)).toEqual([car, car, spoofer]);
    // Stake 10 tokens, half slashed per flagged epoch: 5, then 2.5.
    expect(Array.from(paid.slashedWei)).toEqual([0, 0, 7.5e18]);
    expect(paid.paidStepUnits).toBe(4000);

    const groups = profileGroups(c.profiles);
    expect(groups.groups).toEqual(['honestReward.car', 'adversaryReward.gps-spoofing']);
    const m = sweepMetrics({ ...paid, profileOfDevice: fleet, viabilityTokens: 400 }, groups);
    const a = spoofer / 1e18;
    const b = car / 1e18;
    expect(m.emission).toBeCloseTo(a + 2 * b, 9);
    expect(m.honestShare).toBeCloseTo((2 * b) / (a + 2 * b), 12);
    // Two equal values b and one a: Σ|x_i − x_j| = 4(b − a), mean (a + 2b)/3.
    expect(m.gini).toBeCloseTo((2 * (b - a)) / (3 * (a + 2 * b)), 12);
    expect(m.top10Share).toBeCloseTo(b / (a + 2 * b), 12);
    expect(m.costPerKm).toBeCloseTo((a + 2 * b) / (4000 * KM_PER_STEP_UNIT), 6);
    expect(m['honestReward.car']).toBeCloseTo(b, 9);
    expect(m['adversaryReward.gps-spoofing']).toBeCloseTo(a - 7.5, 9);
    // 441.96 tokens per epoch: above a line of 400, under one of 450.
    expect(m.viabilityShare).toBe(0);
    expect(sweepMetrics({ ...paid, profileOfDevice: fleet, viabilityTokens: 450 }, groups).viabilityShare).toBe(1);
  });

  it('policy steps: an epoch penalty zeroes the spoofer, a cap bounds the cars, no distance leaves costPerKm out', () => {
    const c = handCalibration();
    const fleet = Uint16Array.of(0, 0, 1);
    const strict = fleetRewards(c, { ...policy, flagPenalty: 'epoch', capUnits: 2000n }, fleet, 1, 1);
    // Cars capped at 2000 each, the spoofer 0: T = 4000, each car half of 900 tokens.
    expect(Array.from(strict.rewardWei)).toEqual([450e18, 450e18, 0]);
    const still = fleetRewards(c, policy, Uint16Array.of(1), 1, 1);
    const m = sweepMetrics({ ...still, profileOfDevice: Uint16Array.of(1), viabilityTokens: 1 }, profileGroups(c.profiles));
    expect(still.paidStepUnits).toBe(0);
    expect('costPerKm' in m).toBe(false);
    expect(m.honestShare).toBe(0);
    expect('honestReward.car' in m).toBe(false);
  });
});
