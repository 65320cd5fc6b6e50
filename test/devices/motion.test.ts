import { describe, expect, it } from 'vitest';
import {
  BERLIN,
  MOTION_PROFILES,
  createStreetGridMotion,
  localFrame,
  seededRandom,
  snapToStreets,
  type Fix,
  type MotionProfileName,
} from '../../devices/index.ts';

const T0 = Date.UTC(2025, 3, 1, 6);
const area = { minLat: 52.5, maxLat: 52.51, minLon: 13.4, maxLon: 13.415 }; // ~1 km square: edges get hit
const frame = localFrame(area);

function track(profile: MotionProfileName, stepsMs: number[], seed = 1): Fix[] {
  const start = snapToStreets(area, { lat: 52.505, lon: 13.407 });
  const motion = createStreetGridMotion({ area, profile, start, startMs: T0, random: seededRandom(seed, 'motion', 0) });
  let t = T0;
  return stepsMs.map((step) => motion.sample((t += step)));
}

const metres = (a: Fix, b: Fix): number =>
  Math.hypot(frame.toX(a.trueLongitude) - frame.toX(b.trueLongitude), frame.toY(a.trueLatitude) - frame.toY(b.trueLatitude));

describe('street-grid motion', () => {
  it.each<MotionProfileName>(['walk', 'bike', 'car'])('behavior: %s moves within its speed bounds and stays inside the box for 3 hours', (profile) => {
    const { minSpeedMps, maxSpeedMps } = MOTION_PROFILES[profile];
    for (const seed of [1, 2, 3]) {
      const steps = Array.from({ length: 3 * 3600 }, (_, k) => (k % 7 === 0 ? 2_500 : 1_000));
      const fixes = track(profile, steps, seed);
      const violations: string[] = [];
      let still = 0;
      fixes.forEach((fix, k) => {
        const inBox = (lat: number, lon: number): boolean => lat >= area.minLat && lat <= area.maxLat && lon >= area.minLon && lon <= area.maxLon;
        if (!inBox(fix.latitude, fix.longitude)) violations.push(`${k}: reported position outside the box`);
        if (!inBox(fix.trueLatitude, fix.trueLongitude)) violations.push(`${k}: true position outside the box`);
        if (fix.moving && (fix.speedMps < minSpeedMps || fix.speedMps > maxSpeedMps)) violations.push(`${k}: speed ${fix.speedMps}`);
        if (!fix.moving) {
          if (fix.speedMps !== 0) violations.push(`${k}: still with speed ${fix.speedMps}`);
          still++;
        }
        if (k > 0) {
          const travelled = fix.odometerM - fixes[k - 1]!.odometerM;
          if (travelled > (maxSpeedMps * steps[k]!) / 1000 + 1e-6) violations.push(`${k}: ${travelled} m in ${steps[k]} ms`);
          if (metres(fix, fixes[k - 1]!) > travelled + 1e-6) violations.push(`${k}: displacement beyond distance travelled`);
        }
      });
      expect(violations).toEqual([]);
      const averageMps = fixes.at(-1)!.odometerM / (3 * 3600);
      expect(averageMps).toBeGreaterThan(minSpeedMps * 0.5);
      expect(averageMps).toBeLessThanOrEqual(maxSpeedMps);
      if (profile === 'car') expect(still).toBeGreaterThan(100); // red lights
    }
  });

  it('behavior: reported positions carry a few metres of GPS noise around the true position', () => {
    const fixes = track('walk', Array.from({ length: 2000 }, () => 5_000));
    const errors = fixes.map((f) =>
      Math.hypot(frame.toX(f.longitude) - frame.toX(f.trueLongitude), frame.toY(f.latitude) - frame.toY(f.trueLatitude)),
    );
    const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    expect(rms).toBeGreaterThan(2);
    expect(rms).toBeLessThan(7);
  });

  it('behavior: a stationary device stays where it started', () => {
    const fixes = track('stationary', Array.from({ length: 500 }, () => 60_000));
    expect(new Set(fixes.map((f) => `${f.trueLatitude},${f.trueLongitude}`)).size).toBe(1);
    expect(fixes.every((f) => !f.moving && f.speedMps === 0 && f.odometerM === 0)).toBe(true);
  });

  it('behavior: the track depends on time only, not on how often it is sampled', () => {
    const fine = track('bike', Array.from({ length: 3600 }, () => 1_000));
    const coarse = track('bike', Array.from({ length: 60 }, () => 60_000));
    coarse.forEach((fix, k) => {
      const same = fine[(k + 1) * 60 - 1]!;
      expect(fix.trueLatitude).toBeCloseTo(same.trueLatitude, 9);
      expect(fix.trueLongitude).toBeCloseTo(same.trueLongitude, 9);
      expect(fix.odometerM).toBeCloseTo(same.odometerM, 6);
    });
  });

  it('args: a sample at an earlier time returns the latest state instead of moving backwards', () => {
    const motion = createStreetGridMotion({ area: BERLIN, profile: 'car', start: snapToStreets(BERLIN, { lat: 52.52, lon: 13.4 }), startMs: T0, random: seededRandom(1, 'm', 0) });
    const later = motion.sample(T0 + 60_000);
    expect(motion.sample(T0).odometerM).toBe(later.odometerM);
  });
});
