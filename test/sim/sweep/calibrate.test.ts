import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flagLargeJumps, selectEpochReadings, workUnits } from '../../../core/reward-rule.ts';
import { calibrate, type CalibrateResult } from '../../../sim/sweep/calibrate.ts';
import { runCalibrationFleet } from '../../../sim/sweep/calibration-run.ts';
import type { DeviceEpochRecord } from '../../../sim/sweep/device-epoch-record.ts';
import type { StoredReading } from '../../../backend/store/run-store.ts';
import { sweepTestScenario } from './sweep-scenario.ts';

const tempCache = () => mkdtempSync(join(tmpdir(), 'pinbench-sweep-cal-'));

describe('sweep calibration: device-epoch pools from the real device models', () => {
  let first: CalibrateResult;
  let cacheDir: string;

  beforeAll(async () => {
    cacheDir = tempCache();
    first = await calibrate(sweepTestScenario(), { epochs: 2, resolution: 9, cacheDir });
  });

  it('behavior: pools per profile in the scenario\'s order, with the flags the backend\'s rules raise', () => {
    const c = first.calibration;
    expect(first.cached).toBe(false);
    expect(c.profiles.every((p) => p.calibratedDevices === p.devices)).toBe(true);
    expect(c.profiles.map((p) => [p.name, p.devices, p.end - p.start])).toEqual([
      ['car', 3, 6], ['walk', 2, 4], ['car + corrupted-packets', 1, 2], ['car · gps-spoofing', 1, 2], ['car · sybil', 2, 4], ['car · forged-signature', 1, 2],
    ]);
    const byName = new Map(c.profiles.map((p) => [p.name, p]));
    // Shared key ⇒ duplicate-key (bit 3) on every sybil device-epoch; unregistered key ⇒ every reading refused, forged-signature (bit 6).
    expect(byName.get('car · sybil')!.stats.flagRate).toBe(1);
    expect(Array.from(c.records.flagMask.subarray(14, 18))).toEqual([8, 8, 8, 8]);
    expect(Array.from(c.records.flagMask.subarray(18, 20))).toEqual([64, 64]);
    expect(Array.from(c.records.accepted.subarray(18, 20))).toEqual([0, 0]);
    expect(byName.get('car')!.stats.flagRate).toBe(0);
    expect(byName.get('walk')!.stats.flagRate).toBe(0);
    // A flagged device-epoch earns nothing, but keeps what it would have earned unflagged.
    expect(Array.from(c.records.countedSamples.subarray(14, 18))).toEqual([0, 0, 0, 0]);
    expect(Array.from(c.records.unflaggedSamples.subarray(14, 18))).toEqual([8, 8, 8, 8]);
    // Corrupted packets are refused by the ingest's decode check: fewer accepted than the 18 an epoch holds.
    expect(byName.get('car + corrupted-packets')!.stats.accepted.mean).toBeLessThan(byName.get('car')!.stats.accepted.mean);
    expect(c.records.cellOffsets.length).toBe(21);
    expect(c.cellIds.every((id) => /^[0-9a-f]{15}$/.test(id))).toBe(true);
  });

  it('determinism: the same scenario and seed give the same pool, pinned; another seed another pool', async () => {
    const again = await calibrate(sweepTestScenario(), { epochs: 2, resolution: 9, cacheDir: tempCache() });
    expect(again.cached).toBe(false);
    expect(again.calibration.key).toBe(first.calibration.key);
    expect(again.calibration.records).toEqual(first.calibration.records);
    expect(again.calibration.cellIds).toEqual(first.calibration.cellIds);
    expect(Array.from(first.calibration.records.stepUnits.subarray(0, 6))).toEqual([39160, 5981, 18127, 39700, 50343, 6934]);
    expect(Array.from(first.calibration.records.accepted.subarray(0, 6))).toEqual([18, 18, 18, 18, 17, 18]);
    const other = await calibrate(sweepTestScenario(2028), { epochs: 2, resolution: 9, cacheDir: tempCache() });
    expect(other.calibration.key).not.toBe(first.calibration.key);
    expect(Array.from(other.calibration.records.stepUnits.subarray(0, 6))).not.toEqual([39160, 5981, 18127, 39700, 50343, 6934]);
  });

  it('cache: a second call with the same key reads the file; another resolution or epoch count misses', async () => {
    const hit = await calibrate(sweepTestScenario(), { epochs: 2, resolution: 9, cacheDir });
    expect(hit.cached).toBe(true);
    expect(hit.file).toBe(first.file);
    expect(hit.calibration.records).toEqual(first.calibration.records);
    expect(hit.calibration.profiles).toEqual(first.calibration.profiles);
    const coarser = await calibrate(sweepTestScenario(), { epochs: 2, resolution: 7, cacheDir });
    expect(coarser.cached).toBe(false);
    expect(coarser.calibration.key).not.toBe(first.calibration.key);
    const shorter = await calibrate(sweepTestScenario(), { epochs: 1, resolution: 9, cacheDir });
    expect(shorter.cached).toBe(false);
    expect(readdirSync(join(cacheDir, 'sweep-calibrations')).sort()).toEqual([first.calibration.key, coarser.calibration.key, shorter.calibration.key].map((k) => `${k}.json`).sort());
  });

  it('rule: each record\'s counted samples, step units and flagged readings are workUnits\' over the readings it came from', async () => {
    const scenario = sweepTestScenario();
    const seen: Array<{ flagged: boolean; readings: readonly StoredReading[]; record: DeviceEpochRecord }> = [];
    await runCalibrationFleet(scenario, { epochs: 1, resolution: 9, scenarioDir: process.cwd(), observe: (_e, input, record) => seen.push({ flagged: record.flagged === 1, readings: input.readings, record }) });
    expect(seen.length).toBe(10);
    const k = scenario.circuit.readingsPerDevice;
    const params = { unitsPerSample: BigInt(scenario.reward.unitsPerSample), maxStepE7: BigInt(scenario.reward.maxStepE7), rewardPerUnitWei: 1n };
    let checked = 0;
    for (const { flagged, readings, record } of seen) {
      const selected = flagLargeJumps(selectEpochReadings(readings.map((r) => ({ latE7: r.latE7, lonE7: r.lonE7, timestampS: r.timestampS, ...(flagged ? { flagged } : {}) })), k), k);
      const units = workUnits(selected, params, k);
      expect(BigInt(record.countedSamples) * params.unitsPerSample + BigInt(record.stepUnits)).toBe(units);
      expect(record.countedSamples).toBe(selected.filter((r) => !r.flagged).length);
      // What an epoch penalty and a slash read: every selected reading of a flagged device, else flagLargeJumps' alone.
      expect(record.flaggedReadings).toBe(selected.filter((r) => r.flagged).length);
      if (flagged && readings.length > 0) expect(record.flaggedReadings).toBe(selected.length);
      expect(record.accepted).toBe(readings.length);
      if (!flagged && readings.length > 0) checked += 1;
    }
    expect(checked).toBe(7);
  });

  it('devicesPerProfile: runs the first devices of each profile, keeps the scenario\'s mix and sybil key sharing', async () => {
    const one = await calibrate(sweepTestScenario(), { epochs: 2, resolution: 9, cacheDir, devicesPerProfile: 1 });
    expect(one.cached).toBe(false);
    expect(one.calibration.profiles.map((p) => [p.name, p.devices, p.calibratedDevices, p.end - p.start])).toEqual([
      ['car', 3, 1, 2], ['walk', 2, 1, 2], ['car + corrupted-packets', 1, 1, 2], ['car · gps-spoofing', 1, 1, 2], ['car · sybil', 2, 1, 2], ['car · forged-signature', 1, 1, 2],
    ]);
    // The sybil source runs without its clone, and is still flagged for the key they share.
    expect(one.calibration.profiles[4]!.stats.flagRate).toBe(1);
    // Each device's models depend on its seed only: the first car's records are those of the whole fleet's run.
    expect(Array.from(one.calibration.records.stepUnits.subarray(0, 2))).toEqual(Array.from(first.calibration.records.stepUnits.subarray(0, 2)));
  });

  it('bad input: epochs and resolution out of range are refused with what to use', async () => {
    await expect(calibrate(sweepTestScenario(), { epochs: 0, resolution: 9, cacheDir })).rejects.toThrow('calibration epochs: expected an integer ≥ 1, got 0; 3 epochs give each profile 3 records per device');
    await expect(calibrate(sweepTestScenario(), { epochs: 1, resolution: 16, cacheDir })).rejects.toThrow('calibration resolution: expected an h3 resolution, an integer in [0, 15], got 16; use e.g. 8');
    await expect(calibrate(sweepTestScenario(), { epochs: 1, resolution: 8, cacheDir, devicesPerProfile: 0 })).rejects.toThrow('calibration devicesPerProfile: expected an integer ≥ 1, got 0; leave it out to run every device');
  });
});
