import { describe, expect, it } from 'vitest';
import {
  decayFactorE18, defaultPolicy, epochRewards, factsFromReadings, GWEI, mulDown, powDown, runPolicy, scheduledEmissionWei,
  type DeviceEpochFacts, type RewardPolicy,
} from '../../core/reward-policy/index.ts';
import { flagLargeJumps, rewardWei, workUnits, type RuleParams, type WorkReading } from '../../core/reward-rule.ts';

const TOKEN = 10n ** 18n;
const RULE: RuleParams = { unitsPerSample: 1000n, maxStepE7: 20_000n, rewardPerUnitWei: 1_000_000_000_000n };
const facts = (deviceIndex: number, countedSamples: number, stepUnits: bigint, flaggedReadings = 0, cells: string[] = []): DeviceEpochFacts =>
  ({ deviceIndex, countedSamples, stepUnits, flaggedReadings, cells });
const constant = (perEpochWei: bigint, extra: Partial<RewardPolicy> = {}): RewardPolicy =>
  ({ ...defaultPolicy(RULE), emission: { kind: 'constant', perEpochWei }, ...extra });

/** A device's readings in Berlin, 60 s apart, moving by the given (dLat, dLon) steps in 1e-7 degree. */
function walk(steps: [number, number][], flagged: number[] = []): WorkReading[] {
  let lat = 525_200_000;
  let lon = 134_050_000;
  const out: WorkReading[] = [{ latE7: lat, lonE7: lon, timestampS: 1_767_225_600 }];
  steps.forEach(([dLat, dLon], i) => {
    lat += dLat;
    lon += dLon;
    out.push({ latE7: lat, lonE7: lon, timestampS: 1_767_225_600 + 60 * (i + 1), ...(flagged.includes(i + 1) ? { flagged: true } : {}) });
  });
  return out;
}

describe('reward policy: the rule, worked by hand', () => {
  it('behavior: constant 1000 gwei over units 4500, 2000, 4000 (T = 10500) pays 428, 190, 380 gwei and leaves 2 gwei of dust', () => {
    const result = epochRewards(constant(1000n * GWEI), 0, [facts(3, 3, 1000n), facts(1, 4, 500n), facts(2, 2, 0n)]);
    expect(result.totalUnits).toBe(10_500n);
    expect(result.emissionWei).toBe(1_000_000_000_000n);
    // floor(4500·1000/10500) = 428, floor(2000·1000/10500) = 190, floor(4000·1000/10500) = 380 (gwei); sorted by device index.
    expect(result.devices.map((d) => [d.deviceIndex, d.units, d.rewardWei])).toEqual([[1, 4500n, 428n * GWEI], [2, 2000n, 190n * GWEI], [3, 4000n, 380n * GWEI]]);
    expect(result.paidWei).toBe(998n * GWEI);
    expect(result.dustWei).toBe(2n * GWEI);
  });

  it('behavior: each reward is at most its exact pro-rata share, and Σ rewards + dust = E_e', () => {
    const result = epochRewards(constant(7n * GWEI), 4, [facts(1, 1, 1n), facts(2, 1, 2n), facts(3, 2, 5n)]);
    for (const d of result.devices) expect(d.rewardWei * result.totalUnits <= d.units * result.emissionWei).toBe(true);
    expect(result.paidWei + result.dustWei).toBe(result.emissionWei);
    // T = 1001 + 1002 + 2005 = 4008; 7 gwei: floor(1001·7/4008) = 1, floor(1002·7/4008) = 1, floor(2005·7/4008) = 3.
    expect(result.devices.map((d) => d.rewardWei / GWEI)).toEqual([1n, 1n, 3n]);
    expect(result.dustWei).toBe(2n * GWEI);
  });

  it('behavior: an epoch without units pays nobody and all of E_e is dust', () => {
    const result = epochRewards(constant(5n * GWEI, { minSamples: 2 }), 0, [facts(1, 1, 10n), facts(2, 0, 0n)]);
    expect(result.totalUnits).toBe(0n);
    expect(result.devices.map((d) => d.rewardWei)).toEqual([0n, 0n]);
    expect(result.dustWei).toBe(5n * GWEI);
  });

  it('behavior: density scaling: a cell visited by 4 devices with target 2 pays floor(100·2/4) = 50 each; a repeated cell counts once', () => {
    const policy = constant(1000n * GWEI, { unitsPerSample: 0n, coverage: { resolution: 8, unitsPerCell: 100n, densityTarget: 2 } });
    const result = epochRewards(policy, 0, [
      facts(1, 3, 0n, 0, ['a', 'a', 'b']), facts(2, 2, 0n, 0, ['a', 'b']), facts(3, 2, 0n, 0, ['a', 'c']), facts(4, 1, 0n, 0, ['a']),
    ]);
    // n_a = 4 → 50, n_b = 2 → 100 (≤ target), n_c = 1 → 100.
    expect(result.devices.map((d) => d.coverageUnits)).toEqual([150n, 150n, 150n, 50n]);
    // floor(100·2/3) = 66 for a cell of 3.
    const three = epochRewards(policy, 0, [facts(1, 1, 0n, 0, ['a']), facts(2, 1, 0n, 0, ['a']), facts(3, 1, 0n, 0, ['a'])]);
    expect(three.devices.map((d) => d.units)).toEqual([66n, 66n, 66n]);
  });

  it('behavior: coverage before the cap; penalty, minimum and cap each zero or cut a device-epoch', () => {
    const policy = constant(1000n * GWEI, { capUnits: 3000n, minSamples: 2, flagPenalty: 'epoch', coverage: { resolution: 8, unitsPerCell: 1000n, densityTarget: 5 } });
    const result = epochRewards(policy, 0, [
      facts(1, 4, 500n), // 4500 → capped at 3000
      facts(2, 1, 0n), // 1000, but 1 < minSamples 2 → 0
      facts(3, 3, 0n, 1), // 3000, flagged with penalty 'epoch' → 0
      facts(4, 2, 100n), // 2100
      facts(5, 2, 500n, 0, ['x']), // 2500 + 1000 coverage = 3500 → capped at 3000
    ]);
    expect(result.devices.map((d) => [d.baseUnits, d.coverageUnits, d.units])).toEqual([
      [4500n, 0n, 3000n], [1000n, 0n, 0n], [3000n, 0n, 0n], [2100n, 0n, 2100n], [2500n, 1000n, 3000n],
    ]);
    // With flagPenalty 'reading' the flagged device keeps its unflagged readings' units.
    expect(epochRewards({ ...policy, flagPenalty: 'reading' }, 0, [facts(3, 3, 0n, 1)]).devices[0]!.units).toBe(3000n);
  });

  it('behavior: a flagged device-epoch slashes 10 % of the stake left: 1000 → 900 → 810 → 729, an unflagged one nothing', () => {
    const policy = constant(10n * GWEI, { stake: { perDeviceWei: 1000n, slashBps: 1000 } });
    const epochs = [0, 1, 2, 3].map((epoch) => ({ epoch, devices: [facts(1, 2, 0n, epoch === 3 ? 0 : 1), facts(2, 2, 0n)] }));
    const run = runPolicy(policy, epochs);
    expect(run.epochs.map((e) => e.devices[0]!.slashedWei)).toEqual([100n, 90n, 81n, 0n]);
    expect(run.devices.get(1)).toMatchObject({ slashedWei: 271n, stakeLeftWei: 729n });
    expect(run.devices.get(2)).toMatchObject({ slashedWei: 0n, stakeLeftWei: 1000n });
    expect(run.slashedWei).toBe(271n);
    // floor(7·1000 / 3333) = 2: 333 of 1000 bps of 3333 wei left.
    expect(epochRewards(constant(10n * GWEI, { stake: { perDeviceWei: 3333n, slashBps: 1000 } }), 0, [facts(1, 1, 0n, 1)]).devices[0]!.slashedWei).toBe(333n);
  });

  it('behavior: the run sums rewards and dust over epochs, per device and in all', () => {
    const run = runPolicy(constant(1000n * GWEI), [
      { epoch: 0, devices: [facts(1, 4, 500n), facts(2, 2, 0n), facts(3, 3, 1000n)] },
      { epoch: 1, devices: [facts(1, 1, 0n)] },
    ]);
    expect(run.devices.get(1)!.rewardWei).toBe(1428n * GWEI);
    expect(run.emittedWei).toBe(2000n * GWEI);
    expect(run.dustWei).toBe(2n * GWEI);
    expect(run.paidWei + run.dustWei).toBe(run.emittedWei);
  });
});

describe('reward policy: the rate policy is today\'s rule', () => {
  const devices: WorkReading[][] = [
    walk([[1200, -800], [300, 2500], [-25_000, 1000], [10, 10]]), // one step over maxStepE7 (capped)
    walk([[500, 500], [600, 600], [700, 700]], [2]), // a flagged reading breaks two steps
    walk([[1_500_000, 0], [100, 100]]), // a jump ≥ 2^20 that flagLargeJumps flags
    walk([]), // one reading
  ];

  it('behavior: units and wei equal workUnits and rewardWei of the same readings, device by device', () => {
    const k = 8;
    const readings = devices.map((r) => flagLargeJumps(r, k));
    const result = epochRewards(defaultPolicy(RULE), 0, readings.map((r, i) => factsFromReadings(i + 1, r, RULE, k)));
    const expected = readings.map((r) => workUnits(r, RULE, k));
    expect(result.devices.map((d) => d.units)).toEqual(expected);
    expect(result.devices.map((d) => d.rewardWei)).toEqual(expected.map((u) => rewardWei(u, RULE)));
    // By hand for the first device: 5 readings × 1000 + (2000 + 2800 + 20000 capped + 20) = 29820.
    expect(expected[0]).toBe(29_820n);
    expect(result.dustWei).toBe(0n);
    expect(result.emissionWei).toBe(result.paidWei);
  });

  it('behavior: factsFromReadings counts the K selected readings, their flags, and the cells of the counted ones', () => {
    // K = 4 of 5 readings; reading 1 is flagged, so only the step 2 → 3 (10 apart) counts.
    const f = factsFromReadings(7, walk([[10, 0], [10, 0], [10, 0], [10, 0]], [1]), RULE, 4, (r) => `cell-${r.latE7 % 100}`);
    expect(f).toEqual({ deviceIndex: 7, countedSamples: 3, stepUnits: 10n, flaggedReadings: 1, cells: ['cell-0', 'cell-20', 'cell-30'] });
  });
});

describe('reward policy: emission schedules', () => {
  it('behavior: halving 1001 gwei every 2 epochs: 1001, 1001, 500, 500, 250, …, in whole gwei rounded down', () => {
    const halving = { kind: 'halving', initialWei: 1001n * GWEI, everyEpochs: 2 } as const;
    expect([0, 1, 2, 3, 4, 6, 8, 200].map((e) => scheduledEmissionWei(halving, e)! / GWEI)).toEqual([1001n, 1001n, 500n, 500n, 250n, 125n, 62n, 0n]);
  });

  it('behavior: decay 0.5 a year over 2 epochs a year: q = floor(sqrt(0.5)·1e18) in double, E_3 = mulDown(1000 tokens, q·(q·q)) in whole gwei', () => {
    const q = decayFactorE18(0.5, 2);
    expect(q).toBe(707_106_781_186_547_584n);
    // The double is within 2^7 of the exact floor(sqrt(0.5e36)) = 707106781186547524.
    expect(q - 707_106_781_186_547_524n).toBeLessThan(128n);
    // powDown(q, 3) by hand, in the documented order: result = mulDown(1e18, q) = q; base = mulDown(q, q); result = mulDown(q, base).
    const byHand = (q * ((q * q) / TOKEN)) / TOKEN;
    expect(powDown(q, 3)).toBe(byHand);
    expect(byHand).toBe(353_553_390_593_273_851n);
    const decay = { kind: 'decay', initialWei: 1000n * TOKEN, yearlyDecay: 0.5, epochsPerYear: 2 } as const;
    expect(scheduledEmissionWei(decay, 3)).toBe(353_553_390_593n * GWEI);
    expect([0, 1, 2, 4].map((e) => scheduledEmissionWei(decay, e))).toEqual([1000n * TOKEN, 707_106_781_186n * GWEI, 500n * TOKEN, 250n * TOKEN]);
    expect(mulDown(3n * TOKEN, TOKEN / 2n)).toBe(TOKEN + TOKEN / 2n);
  });

  it('behavior: decay 0.2 a year over 365 epochs stays within 1e-12 of the real 0.8^(e/365)', () => {
    const decay = { kind: 'decay', initialWei: 1000n * TOKEN, yearlyDecay: 0.2, epochsPerYear: 365 } as const;
    for (const e of [1, 100, 365, 730]) {
      const exact = 1000 * Math.pow(0.8, e / 365);
      expect(Math.abs(Number(scheduledEmissionWei(decay, e)!) / 1e18 - exact) / exact).toBeLessThan(1e-12);
    }
    expect(decayFactorE18(0, 12)).toBe(TOKEN);
  });

  it('behavior: the rate schedules nothing', () => {
    expect(scheduledEmissionWei({ kind: 'rate', rewardPerUnitWei: 5n }, 3)).toBeUndefined();
  });
});

describe('reward policy: bad facts', () => {
  it('args: a device twice, a negative count, a bad epoch each give one POLICY_FACTS_INVALID line', () => {
    const policy = constant(GWEI);
    expect(() => epochRewards(policy, 0, [facts(1, 1, 0n), facts(1, 2, 0n)])).toThrow('devices[1].deviceIndex: device 1 is given twice in one epoch; give each device\'s facts once');
    expect(() => epochRewards(policy, 0, [facts(1, -1, 0n)])).toThrow('devices[0].countedSamples: expected a whole number ≥ 0, got -1');
    expect(() => epochRewards(policy, 0, [facts(0, 1, 0n)])).toThrow('devices[0].deviceIndex: expected a registry index ≥ 1, got 0');
    expect(() => epochRewards(policy, 0, [facts(1, 1, -3n)])).toThrow('devices[0].stepUnits: expected a bigint ≥ 0, got -3');
    expect(() => epochRewards(policy, -1, [])).toThrow("epoch: expected the epoch's index, a whole number ≥ 0 (0 = the run's first), got -1");
    try {
      epochRewards(policy, 0, [facts(1, 1.5, 0n)]);
    } catch (error) {
      expect(error).toMatchObject({ code: 'POLICY_FACTS_INVALID' });
    }
  });
});
