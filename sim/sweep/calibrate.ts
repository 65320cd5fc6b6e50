import { join } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import { isReplayEntry, type Scenario } from '../../scenarios/index.ts';
import { defaultCacheDir } from '../paths.ts';
import { poolStats, type Calibration, type ProfilePool, type RecordColumns } from './calibration.ts';
import { calibrationKey } from './calibration-key.ts';
import { readCalibrationFile, writeCalibrationFile } from './calibration-file.ts';
import { runCalibrationFleet, type CalibrationRunResult } from './calibration-run.ts';

export interface CalibrateOptions {
  /** Epochs of the scenario to run the device models for (≥ 1; more than the scenario has is allowed). */
  epochs: number;
  /** h3 resolution of the cells recorded (0–15; 8 ≈ 0.7 km², 9 ≈ 0.1 km²). */
  resolution: number;
  /** Run at most this many devices of each profile (calibration-run.ts); default all. Part of the cache key. */
  devicesPerProfile?: number;
  /** Where calibrations are cached; default sim/paths.ts defaultCacheDir(). */
  cacheDir?: string;
  /** Where the scenario's route files are found; default the working directory. */
  scenarioDir?: string;
}

export interface CalibrateResult {
  calibration: Calibration;
  /** True when it was read from the cache, not run. */
  cached: boolean;
  file: string;
}

function checkSettings(options: CalibrateOptions): void {
  if (!Number.isSafeInteger(options.epochs) || options.epochs < 1) {
    throw new PinbenchError('SWEEP_CALIBRATION_INVALID', `calibration epochs: expected an integer ≥ 1, got ${String(options.epochs)}; 3 epochs give each profile 3 records per device`);
  }
  const per = options.devicesPerProfile;
  if (per !== undefined && (!Number.isSafeInteger(per) || per < 1)) {
    throw new PinbenchError('SWEEP_CALIBRATION_INVALID', `calibration devicesPerProfile: expected an integer ≥ 1, got ${String(per)}; leave it out to run every device`);
  }
  if (!Number.isInteger(options.resolution) || options.resolution < 0 || options.resolution > 15) {
    throw new PinbenchError('SWEEP_CALIBRATION_INVALID', `calibration resolution: expected an h3 resolution, an integer in [0, 15], got ${String(options.resolution)}; use e.g. 8`);
  }
}

export function calibrationFile(cacheDir: string, key: string): string {
  return join(cacheDir, 'sweep-calibrations', `${key}.json`);
}

/**
 * Per profile, a pool of device-epoch records from the scenario's own device models
 * (calibration-run.ts), cached by a hash of what shapes them: a second call with the same
 * scenario and settings reads the file instead of running the fleet.
 */
export async function calibrate(scenario: Scenario, options: CalibrateOptions): Promise<CalibrateResult> {
  checkSettings(options);
  if (scenario.fleet.some(isReplayEntry)) {
    throw new PinbenchError('SWEEP_CALIBRATION_INVALID', `scenario ${scenario.name}: a fleet entry replays a capture, which has no device model to calibrate; calibrate a scenario of modelled devices`);
  }
  const settings = { epochs: options.epochs, resolution: options.resolution, ...(options.devicesPerProfile === undefined ? {} : { devicesPerProfile: options.devicesPerProfile }) };
  const key = calibrationKey(scenario, settings);
  const file = calibrationFile(options.cacheDir ?? defaultCacheDir(), key);
  const hit = readCalibrationFile(file, key);
  if (hit !== undefined) return { calibration: hit, cached: true, file };
  const started = Date.now();
  const run = await runCalibrationFleet(scenario, { ...settings, scenarioDir: options.scenarioDir ?? process.cwd() });
  const calibration = poolCalibration(run, {
    key,
    scenario: { name: scenario.name, seed: scenario.seed },
    settings,
    rule: { readingsPerDevice: scenario.circuit.readingsPerDevice, unitsPerSample: scenario.reward.unitsPerSample, maxStepE7: scenario.reward.maxStepE7 },
    epochLengthS: scenario.epochs.lengthS,
    calibrationMs: Date.now() - started,
  });
  writeCalibrationFile(file, calibration);
  return { calibration, cached: false, file };
}

/** The run's records grouped by profile (in order of first appearance), device by device, epoch by epoch, into columns. */
export function poolCalibration(run: CalibrationRunResult, meta: Omit<Calibration, 'profiles' | 'records' | 'cellIds'>): Calibration {
  const byProfile = new Map<string, number[]>();
  run.devices.forEach((d, k) => {
    const list = byProfile.get(d.profile) ?? [];
    list.push(k);
    byProfile.set(d.profile, list);
  });
  const epochs = run.records.length;
  const n = run.devices.length * epochs;
  const cols: Omit<RecordColumns, 'cells'> = {
    countedSamples: new Uint8Array(n),
    stepUnits: new Float64Array(n),
    flagged: new Uint8Array(n),
    flagMask: new Uint16Array(n),
    flaggedReadings: new Uint8Array(n),
    unflaggedSamples: new Uint8Array(n),
    unflaggedStepUnits: new Float64Array(n),
    accepted: new Uint32Array(n),
    rejected: new Uint32Array(n),
    cellOffsets: new Uint32Array(n + 1),
  };
  const cellIndex = new Map<string, number>();
  const cellIds: string[] = [];
  const cells: number[] = [];
  const profiles: ProfilePool[] = [];
  let r = 0;
  for (const [name, members] of byProfile) {
    const start = r;
    for (const k of members) {
      for (let e = 0; e < epochs; e++) {
        const rec = run.records[e]![k]!;
        cols.countedSamples[r] = rec.countedSamples;
        cols.stepUnits[r] = rec.stepUnits;
        cols.flagged[r] = rec.flagged;
        cols.flagMask[r] = rec.flagMask;
        cols.flaggedReadings[r] = rec.flaggedReadings;
        cols.unflaggedSamples[r] = rec.unflaggedSamples;
        cols.unflaggedStepUnits[r] = rec.unflaggedStepUnits;
        cols.accepted[r] = rec.accepted;
        cols.rejected[r] = rec.rejected;
        for (const cell of rec.cells) {
          let id = cellIndex.get(cell);
          if (id === undefined) {
            id = cellIds.length;
            cellIds.push(cell);
            cellIndex.set(cell, id);
          }
          cells.push(id);
        }
        r += 1;
        cols.cellOffsets[r] = cells.length;
      }
    }
    const first = run.devices[members[0]!]!;
    profiles.push({ name, motion: first.motion, faults: first.faults, adversary: first.adversary, devices: first.scenarioDevices, calibratedDevices: members.length, start, end: r, stats: undefined as never });
  }
  const records: RecordColumns = { ...cols, cells: Uint32Array.from(cells) };
  for (const p of profiles) p.stats = poolStats(records, p.start, p.end, meta.rule.unitsPerSample);
  return { ...meta, profiles, records, cellIds };
}
