import type { Calibration } from './calibration.ts';

export interface PoolComparison {
  /** The largest |a − b| / |b| over every profile both have, of readings, flag rate and units per device-epoch (b = 0 left out). */
  readonly worstRelative: number;
  readonly profiles: number;
}

/**
 * The cheap honest check of a calibration: the same scenario calibrated again at another seed
 * (`--check-seed`), pool means compared profile by profile. It says how far the pools move with
 * the seed, the sampling noise of the calibration; it is not a comparison with a full run
 * through broker and chain (calibration-error.ts does that from a run.db).
 */
export function comparePools(a: Calibration, b: Calibration): PoolComparison {
  const other = new Map(b.profiles.map((p) => [p.name, p.stats]));
  let worst = 0;
  let profiles = 0;
  for (const p of a.profiles) {
    const q = other.get(p.name);
    if (q === undefined) continue;
    profiles += 1;
    for (const [x, y] of [[p.stats.accepted.mean, q.accepted.mean], [p.stats.flagRate, q.flagRate], [p.stats.units.mean, q.units.mean]] as const) {
      if (y !== 0) worst = Math.max(worst, Math.abs(x - y) / Math.abs(y));
    }
  }
  return { worstRelative: worst, profiles };
}
