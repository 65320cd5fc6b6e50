import type { z } from 'zod';
import type { Random } from '../../core/ports.ts';
import type { MotionModel } from '../motion/model.ts';
import { forkRandom, uniform } from '../random.ts';
import { draw } from './draw.ts';
import type { gpsSpoofingSchema } from './schemas.ts';

const M_PER_DEG_LAT = 111_320;

interface Episode {
  readonly atMs: number;
  readonly kind: 'teleport' | 'fast';
  readonly bearingRad: number;
  /** Teleport: the jump in metres; fast: the speed in m/s. */
  readonly amount: number;
  readonly durationMs: number;
}

/**
 * Reports positions displaced from the true track: sudden teleports of kilometres, and
 * stretches of flight at impossible speeds. The displacement is a function of time only.
 */
export function gpsSpoofing(base: MotionModel, params: z.output<typeof gpsSpoofingSchema>, random: Random, startMs: number): MotionModel {
  const own = forkRandom(random);
  const rate = params.teleportsPerHour + params.fastEpisodesPerHour;
  const next = (afterMs: number): Episode | undefined => {
    if (rate <= 0) return undefined;
    const atMs = afterMs + (-Math.log(1 - own.next()) / rate) * 3_600_000;
    const teleport = own.next() * rate < params.teleportsPerHour;
    const bearingRad = uniform(own, 0, 2 * Math.PI);
    return teleport
      ? { atMs, kind: 'teleport', bearingRad, amount: draw(params.teleportKm, own) * 1000, durationMs: 0 }
      : { atMs, kind: 'fast', bearingRad, amount: draw(params.fastMps, own), durationMs: draw(params.fastS, own) * 1000 };
  };
  // Offset (metres east, north) accumulated by finished episodes; the current one adds to it.
  let east = 0;
  let north = 0;
  let current = next(startMs);
  return {
    profile: base.profile,
    sample(tMs) {
      const fix = base.sample(tMs);
      let fastMps = 0;
      let headingDeg = fix.headingDeg;
      let dx = 0;
      let dy = 0;
      while (current && tMs >= current.atMs) {
        const e = current;
        const elapsedMs = Math.min(tMs - e.atMs, e.durationMs);
        const metres = e.kind === 'teleport' ? e.amount : (e.amount * elapsedMs) / 1000;
        dx = Math.sin(e.bearingRad) * metres;
        dy = Math.cos(e.bearingRad) * metres;
        if (tMs >= e.atMs + e.durationMs) {
          east += dx;
          north += dy;
          dx = 0;
          dy = 0;
          current = next(e.atMs + e.durationMs);
          continue;
        }
        fastMps = e.amount;
        headingDeg = ((e.bearingRad * 180) / Math.PI + 360) % 360;
        break;
      }
      const lat = Math.max(-85, Math.min(85, fix.latitude + (north + dy) / M_PER_DEG_LAT));
      const mPerDegLon = M_PER_DEG_LAT * Math.cos((fix.latitude * Math.PI) / 180);
      const lon = ((((fix.longitude + (east + dx) / mPerDegLon + 180) % 360) + 360) % 360) - 180;
      return { ...fix, latitude: lat, longitude: lon, ...(fastMps > 0 ? { speedMps: fastMps, moving: true, headingDeg } : {}) };
    },
  };
}

/** An emulator's GPS: the exact true position, never noisy, never lost. */
export function noiseFreeMotion(base: MotionModel): MotionModel {
  return {
    profile: base.profile,
    sample(tMs) {
      const fix = base.sample(tMs);
      return { ...fix, latitude: fix.trueLatitude, longitude: fix.trueLongitude, hasFix: true };
    },
  };
}
