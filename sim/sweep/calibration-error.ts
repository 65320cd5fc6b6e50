import Database from 'better-sqlite3';
import { PinbenchError } from '../../core/errors.ts';
import type { Calibration } from './calibration.ts';
import { summarizeDevice } from '../../backend/epochs/summarize.ts';
import type { StoredReading } from '../../backend/store/run-store.ts';

/** One per-device-epoch mean, as the pool has it and as a full run's run.db has it. */
export interface MeanError {
  calibrated: number;
  run: number;
  /** calibrated − run. */
  absolute: number;
  /** (calibrated − run) / run; null when the run's mean is 0 (then read `absolute`). */
  relative: number | null;
}

export interface ProfileError {
  profile: string;
  /** Device-epochs of the full run behind its means (devices × closed epochs). */
  runDeviceEpochs: number;
  /** Records in the pool. */
  poolRecords: number;
  /** Readings the ingest accepted per device-epoch. */
  readings: MeanError;
  /** Share of device-epochs the summary flagged. */
  flagRate: MeanError;
  /** Units by today's rule per device-epoch, recomputed from run.db's readings and flags (a device-epoch without readings earned 0). */
  units: MeanError;
}

export interface CalibrationError {
  runDb: string;
  epochs: number;
  profiles: ProfileError[];
  /** Profiles of the run the calibration has no pool for, and the reverse. */
  missingInCalibration: string[];
  missingInRun: string[];
  /** The largest |relative| over every profile and mean (null ones left out): the one figure a report quotes. */
  worstRelative: number;
}

/**
 * Units by today's rule per profile, recomputed from run.db's readings and flags by the epoch
 * close's own summary (summarizeDevice: a flagged device-epoch's readings all flagged, then flagLargeJumps):
 * the pools hold units by the rule, while run.db's rewards hold what a run's policy paid (capped,
 * with coverage), so the two are compared on the rule. One device-epoch in memory at a time.
 */
function ruleUnitsByProfile(db: Database.Database, rule: Calibration['rule']): Map<string, number> {
  const params = { unitsPerSample: BigInt(rule.unitsPerSample), maxStepE7: BigInt(rule.maxStepE7), rewardPerUnitWei: 0n };
  const k = rule.readingsPerDevice;
  const flagged = new Set((db.prepare('SELECT DISTINCT epoch, device_index AS d FROM flags').all() as Array<{ epoch: number; d: number }>).map((f) => `${f.epoch}:${f.d}`));
  const profileOf = new Map((db.prepare('SELECT device_index AS d, profile FROM device_profiles').all() as Array<{ d: number; profile: string }>).map((r) => [r.d, r.profile]));
  const out = new Map<string, number>();
  let key = '';
  let device = 0;
  let readings: StoredReading[] = [];
  const flush = () => {
    if (readings.length === 0) return;
    const profile = profileOf.get(device);
    if (profile !== undefined) out.set(profile, (out.get(profile) ?? 0) + Number(summarizeDevice(device, readings, params, k, flagged.has(key)).units));
    readings = [];
  };
  const rows = db.prepare('SELECT epoch, device_index AS d, timestamp_s AS timestampS, lat_e7 AS latE7, lon_e7 AS lonE7 FROM readings ORDER BY epoch, device_index, timestamp_s');
  for (const r of rows.iterate() as Iterable<{ epoch: number; d: number; timestampS: number; latE7: number; lonE7: number }>) {
    const next = `${r.epoch}:${r.d}`;
    if (next !== key) {
      flush();
      key = next;
      device = r.d;
    }
    readings.push({ deviceIndex: r.d, latE7: r.latE7, lonE7: r.lonE7, timestampS: r.timestampS });
  }
  flush();
  return out;
}

function meanError(calibrated: number, run: number): MeanError {
  return { calibrated, run, absolute: calibrated - run, relative: run === 0 ? null : (calibrated - run) / run };
}

/**
 * How far the pool's per-profile means are from a full run of the same scenario: readings per
 * device-epoch, flagged device-epochs and units by the rule, from run.db (device_profiles,
 * readings, flags; epochs are those with a close record).
 */
export function calibrationError(calibration: Calibration, runDb: string): CalibrationError {
  let db: Database.Database;
  try {
    db = new Database(runDb, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new PinbenchError('SWEEP_CALIBRATION_INVALID', `run database ${runDb} cannot be opened; give the run.db of a finished run`, { cause });
  }
  try {
    const epochs = (db.prepare("SELECT count(*) AS n FROM meta WHERE key LIKE 'epoch_closed:%'").get() as { n: number }).n;
    if (epochs === 0) throw new PinbenchError('SWEEP_CALIBRATION_INVALID', `run database ${runDb} has no closed epoch; compare against a run that closed at least one`);
    const rows = db.prepare(`
      SELECT p.profile AS profile, count(*) AS devices,
        (SELECT count(*) FROM readings r JOIN device_profiles q ON q.device_index = r.device_index WHERE q.profile = p.profile) AS readings,
        (SELECT count(*) FROM (SELECT DISTINCT f.epoch, f.device_index FROM flags f JOIN device_profiles q ON q.device_index = f.device_index WHERE q.profile = p.profile)) AS flagged
      FROM device_profiles p GROUP BY p.profile ORDER BY min(p.device_index)`).all() as Array<{ profile: string; devices: number; readings: number; flagged: number }>;
    const units = ruleUnitsByProfile(db, calibration.rule);
    const pools = new Map(calibration.profiles.map((p) => [p.name, p]));
    const profiles: ProfileError[] = [];
    for (const row of rows) {
      const pool = pools.get(row.profile);
      if (pool === undefined) continue;
      const n = row.devices * epochs;
      profiles.push({
        profile: row.profile,
        runDeviceEpochs: n,
        poolRecords: pool.stats.records,
        readings: meanError(pool.stats.accepted.mean, row.readings / n),
        flagRate: meanError(pool.stats.flagRate, row.flagged / n),
        units: meanError(pool.stats.units.mean, (units.get(row.profile) ?? 0) / n),
      });
    }
    const inRun = new Set(rows.map((r) => r.profile));
    const relatives = profiles.flatMap((p) => [p.readings, p.flagRate, p.units]).map((m) => m.relative).filter((r): r is number => r !== null);
    return {
      runDb,
      epochs,
      profiles,
      missingInCalibration: rows.map((r) => r.profile).filter((p) => !pools.has(p)),
      missingInRun: calibration.profiles.map((p) => p.name).filter((p) => !inRun.has(p)),
      worstRelative: relatives.reduce((m, r) => Math.max(m, Math.abs(r)), 0),
    };
  } finally {
    db.close();
  }
}
