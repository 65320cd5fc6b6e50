import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoredReading } from '../../../backend/store/run-store.ts';
import { factsFromReadings, runPolicy, type RewardPolicy } from '../../../core/reward-policy/index.ts';
import { flagLargeJumps } from '../../../core/reward-rule.ts';
import { encodeBinPackage, encodeSensorData, PackageType } from '../../../protocol/index.ts';
import { poolCalibration } from '../../../sim/sweep/calibrate.ts';
import { readCalibrationFile, writeCalibrationFile } from '../../../sim/sweep/calibration-file.ts';
import { deviceEpochRecord } from '../../../sim/sweep/device-epoch-record.ts';
import { fleetRewards } from '../../../sim/sweep/sweep-fleet-rewards.ts';

const TOKEN = 10n ** 18n;
const K = 4;
const START_S = 1_767_225_600;
const signature = new Uint8Array(64).fill(7);
const params = { unitsPerSample: 1000n, maxStepE7: 100_000n, rewardPerUnitWei: 1n };
const ctx = { params, readingsPerDevice: K, epochLengthS: 86_400 };

/** Readings `latE7` apart in latitude, 20 minutes apart: a car at ≤ 36 km/h, nothing the summary's detector flags. */
function track(deviceIndex: number, lats: number[]): StoredReading[] {
  return lats.map((latE7, i) => ({ deviceIndex, timestampS: START_S + i * 1200, latE7, lonE7: 134_000_000 }));
}

const honest = track(1, [524_000_000, 524_001_000, 524_002_000, 524_003_000]);
// Step 1 → 2 is 1.1e6 (1e-7 degree, ~12 km): ≥ 2^20, so flagLargeJumps flags reading 2 alone.
const jumpy = track(2, [524_000_000, 525_100_000, 525_100_050, 525_100_100]);

function record(readings: StoredReading[]) {
  const packages = readings.map((r) => encodeBinPackage({ type: PackageType.DATA, data: encodeSensorData({ latitude: r.latE7, longitude: r.lonE7, vbat: 4000, snr: 20 }), timestamp: r.timestampS, signature }));
  return deviceEpochRecord({ deviceIndex: readings[0]!.deviceIndex, readings, packages, rejected: {}, meta: { deviceIndex: readings[0]!.deviceIndex, uploadPeriodS: 1200, keyShares: 1 } }, ctx, 9);
}

/** The exact rule's facts from the raw readings, as a user holding run.db computes them (test/support/run-db-facts.ts). */
const exactFacts = (readings: StoredReading[]) => factsFromReadings(readings[0]!.deviceIndex, flagLargeJumps(readings, K), params, K);

describe('sweep records: flagged readings the summary did not flag', () => {
  it('rule: a record\'s flaggedReadings is the exact rule\'s, one for a single large jump on an unflagged device', () => {
    const r = record(jumpy);
    expect(r.flagged).toBe(0);
    expect(r.flagMask).toBe(0);
    expect(r.flaggedReadings).toBe(1);
    expect(r.flaggedReadings).toBe(exactFacts(jumpy).flaggedReadings);
    // The jump's reading earns nothing, and neither do its two steps: 3 counted, one 50-unit step.
    expect([r.countedSamples, r.stepUnits]).toEqual([3, 50]);
    expect(record(honest).flaggedReadings).toBe(0);
  });

  it('calibration: the column survives the file, and fast mode zeroes and slashes the device-epoch as epochRewards does', () => {
    const device = (index: number, profile: string) => ({ index, profile, scenarioDevices: 1, motion: 'car', faults: [], adversary: undefined });
    const built = poolCalibration(
      { devices: [device(0, 'car'), device(1, 'car + jump')], records: [[record(honest), record(jumpy)]] },
      { key: 'flagged-readings', scenario: { name: 'hand', seed: 1 }, settings: { epochs: 1, resolution: 9 }, rule: { readingsPerDevice: K, unitsPerSample: 1000, maxStepE7: 100_000 }, epochLengthS: 86_400, calibrationMs: 0 },
    );
    const file = join(mkdtempSync(join(tmpdir(), 'pinbench-flagged-readings-')), 'c.json');
    writeCalibrationFile(file, built);
    const calibration = readCalibrationFile(file, 'flagged-readings')!;
    expect(Array.from(calibration.records.flaggedReadings)).toEqual([0, 1]);
    expect(Array.from(calibration.records.flagged)).toEqual([0, 0]);

    const base: RewardPolicy = {
      emission: { kind: 'constant', perEpochWei: 900n * TOKEN }, unitsPerSample: 1000n, maxStepE7: 100_000n, flagPenalty: 'epoch',
      maxSupplyWei: 10n ** 9n * TOKEN, stake: { perDeviceWei: 10n * TOKEN, slashBps: 5000 },
    };
    const epochs = 2;
    // One record per profile: every seed draws the same fleet, one honest device and one jumpy one.
    for (const policy of [base, { ...base, flagPenalty: 'reading' as const }]) {
      const exact = runPolicy(policy, Array.from({ length: epochs }, (_, epoch) => ({ epoch, devices: [exactFacts(honest), exactFacts(jumpy)] })));
      const fast = fleetRewards(calibration, policy, Uint16Array.of(0, 1), epochs, 3);
      expect(Array.from(fast.rewardWei)).toEqual([1, 2].map((d) => Number(exact.devices.get(d)!.rewardWei)));
      expect(Array.from(fast.slashedWei)).toEqual([1, 2].map((d) => Number(exact.devices.get(d)!.slashedWei)));
    }
    // Pinned: under 'epoch' the honest device takes all 900 tokens an epoch; the jumpy one is slashed 5, then 2.5.
    const fast = fleetRewards(calibration, base, Uint16Array.of(0, 1), epochs, 3);
    expect(Array.from(fast.rewardWei)).toEqual([1800e18, 0]);
    expect(Array.from(fast.slashedWei)).toEqual([0, 7.5e18]);
  });
});
