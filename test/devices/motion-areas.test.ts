import { describe, expect, it } from 'vitest';
import { CITY_NAMES, CITY_PRESETS, resolveArea } from '../../devices/motion/cities.ts';
import { createMotion } from '../../devices/motion/create.ts';
import { withDropouts } from '../../devices/motion/dropouts.ts';
import { snapToStreets } from '../../devices/motion/grid.ts';
import { MOTION_PROFILES, type MotionProfileName } from '../../devices/motion/motion-profiles.ts';
import { createStreetGridMotion } from '../../devices/motion/street-grid.ts';
import { seededRandom } from '../../devices/random.ts';

const T0 = Date.UTC(2025, 3, 1, 6);

describe('areas', () => {
  it('args: every city preset and a { south, west, north, east } box resolve to an Area', () => {
    for (const name of ['berlin', 'munich', 'new-york', 'singapore', 'san-francisco']) expect(CITY_NAMES).toContain(name);
    expect(resolveArea('singapore')).toBe(CITY_PRESETS.singapore);
    expect(resolveArea({ south: 48.1, west: 11.5, north: 48.2, east: 11.6 })).toEqual({ minLat: 48.1, maxLat: 48.2, minLon: 11.5, maxLon: 11.6 });
  });

  it('error: an unknown city lists the valid names', () => {
    expect(() => resolveArea('paris')).toThrow(
      'option `area`: unknown city "paris"; use one of berlin, munich, new-york, singapore, san-francisco, london, tokyo, or a bounding box { south, west, north, east }',
    );
  });

  it('error: a box with south above north', () => {
    expect(() => resolveArea({ south: 48.2, west: 11.5, north: 48.1, east: 11.6 }, 'fleet[0].area')).toThrow('option `fleet[0].area`: minLat must be below maxLat');
  });

  it.each(CITY_NAMES)('behavior: in %s every profile stays inside the city and within its speeds for 2 hours', (city) => {
    const area = resolveArea(city);
    for (const profile of ['stationary', 'walk', 'bike', 'car'] as MotionProfileName[]) {
      const { minSpeedMps, maxSpeedMps } = MOTION_PROFILES[profile];
      const start = snapToStreets(area, { lat: (area.minLat + area.maxLat) / 2, lon: (area.minLon + area.maxLon) / 2 });
      const motion = createMotion({ area, profile, start, startMs: T0, random: seededRandom(city, profile, 0), dropouts: { perHour: 2 } });
      for (let k = 1; k <= 720; k++) {
        const fix = motion.sample(T0 + k * 10_000);
        expect(fix.latitude >= area.minLat && fix.latitude <= area.maxLat && fix.longitude >= area.minLon && fix.longitude <= area.maxLon).toBe(true);
        if (fix.moving) expect(fix.speedMps >= minSpeedMps && fix.speedMps <= maxSpeedMps).toBe(true);
      }
    }
  });
});

describe('GPS dropouts', () => {
  const area = CITY_PRESETS.berlin;
  const start = snapToStreets(area, { lat: 52.52, lon: 13.4 });
  const sampleHasFix = (seed: number, perHour: number): boolean[] => {
    const base = createStreetGridMotion({ area, profile: 'walk', start, startMs: T0, random: seededRandom(seed, 'm', 0) });
    const motion = withDropouts(base, { random: seededRandom(seed, 'd', 0), startMs: T0, perHour, durationS: [30, 120] });
    return Array.from({ length: 24 * 360 }, (_, k) => motion.sample(T0 + k * 10_000).hasFix !== false);
  };

  it('behavior: the fix is lost about perHour times an hour for the drawn lengths, and the track goes on', () => {
    const fixes = sampleHasFix(1, 2);
    let losses = 0;
    let run = 0;
    const runs: number[] = [];
    fixes.forEach((has, k) => {
      if (!has) run++;
      if (has && run > 0) {
        runs.push(run);
        run = 0;
      }
      if (!has && (k === 0 || fixes[k - 1])) losses++;
    });
    expect(losses).toBeGreaterThan(24);
    expect(losses).toBeLessThan(80);
    expect(Math.max(...runs) * 10).toBeLessThanOrEqual(130);
    expect(Math.min(...runs) * 10).toBeGreaterThanOrEqual(20);
  });

  it('behavior: no dropouts at perHour 0; same seed, same dropouts', () => {
    expect(sampleHasFix(2, 0).every(Boolean)).toBe(true);
    expect(sampleHasFix(3, 4)).toEqual(sampleHasFix(3, 4));
  });
});
