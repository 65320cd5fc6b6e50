import { describe, expect, it } from 'vitest';
import type { Fix } from '../../devices/motion/model.ts';
import { createStreetGridMotion } from '../../devices/motion/street-grid.ts';
import { snapToStreets } from '../../devices/motion/grid.ts';
import { BERLIN } from '../../devices/motion/area.ts';
import { seededRandom } from '../../devices/random.ts';
import { createSensorModel } from '../../devices/sensors/sensors.ts';

const still = (lat: number, lon: number, extra: Partial<Fix> = {}): Fix => ({
  latitude: lat,
  longitude: lon,
  trueLatitude: lat,
  trueLongitude: lon,
  speedMps: 0,
  headingDeg: 0,
  moving: false,
  odometerM: 0,
  ...extra,
});
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

describe('sensor model: daily cycle and consistency with motion', () => {
  it('behavior: temperature peaks in the afternoon and light is zero at night, by local solar time', () => {
    // Singapore (lon 103.8) is ~7 h ahead of UTC in solar time; Berlin ~1 h.
    for (const [lat, lon, offsetH] of [[52.52, 13.4, 1], [1.3, 103.8, 7], [37.77, -122.42, -8]] as const) {
      const sensors = createSensorModel(seededRandom(1, 'cycle', lon), Date.UTC(2025, 5, 1));
      const byHour = Array.from({ length: 24 }, () => ({ t: [] as number[], light: [] as number[] }));
      for (let day = 0; day < 10; day++) {
        for (let h = 0; h < 24; h++) {
          const t = Date.UTC(2025, 5, 1 + day, 0, 0) + (h - offsetH) * 3_600_000;
          const d = sensors.sample(t, still(lat, lon));
          byHour[h]!.t.push(d.temperature!);
          byHour[h]!.light.push(d.light!);
        }
      }
      expect(mean(byHour[15]!.t)).toBeGreaterThan(mean(byHour[3]!.t) + 500);
      expect(Math.max(...byHour[1]!.light)).toBeLessThanOrEqual(100);
      expect(mean(byHour[12]!.light)).toBeGreaterThan(10_000);
    }
  });

  it('behavior: the accelerometer shows braking and pulling away along x; the gyroscope shows turns about z', () => {
    const sensors = createSensorModel(seededRandom(2, 'imu', 0), 0, { noiseScale: 0 });
    const rest = sensors.sample(1000, still(52.5, 13.4));
    const fast = sensors.sample(6000, still(52.5, 13.4, { speedMps: 15, moving: true }));
    expect((fast.accelerometer![0]! - rest.accelerometer![0]!) / 8192).toBeCloseTo(3 / 9.80665, 2);
    const turned = sensors.sample(11_000, still(52.5, 13.4, { speedMps: 15, moving: true, headingDeg: 270 }));
    expect(turned.gyroscope![2]! / 16.4).toBeCloseTo(18, 0); // 90° left in 5 s
    expect(rest.gyroscope).toEqual([0, 0, 0]);
  });

  it('behavior: accelerometer deviation from gravity is larger when moving than at rest', () => {
    const start = snapToStreets(BERLIN, { lat: 52.52, lon: 13.4 });
    const deviation = (profile: 'stationary' | 'walk' | 'car'): number => {
      const random = seededRandom(3, profile, 0);
      const motion = createStreetGridMotion({ area: BERLIN, profile, start, startMs: 0, random });
      const sensors = createSensorModel(random, 0);
      const values: number[] = [];
      for (let k = 1; k <= 500; k++) {
        const a = sensors.sample(k * 5000, motion.sample(k * 5000)).accelerometer!;
        values.push(Math.abs(Math.hypot(...a) / 8192 - 1));
      }
      return mean(values);
    };
    const rest = deviation('stationary');
    expect(deviation('walk')).toBeGreaterThan(10 * rest);
    expect(deviation('car')).toBeGreaterThan(3 * rest);
  });

  it('behavior: without a fix the reading omits the position and SNR is worse', () => {
    const a = createSensorModel(seededRandom(4, 's', 0), 0);
    const b = createSensorModel(seededRandom(4, 's', 0), 0);
    const snrWith: number[] = [];
    const snrWithout: number[] = [];
    for (let k = 1; k <= 300; k++) {
      const with_ = a.sample(k * 60_000, still(52.5, 13.4));
      const without = b.sample(k * 60_000, still(52.5, 13.4, { hasFix: false }));
      expect(with_.latitude).toBe(525_000_000);
      expect(without.latitude).toBeUndefined();
      expect(without.longitude).toBeUndefined();
      expect(without.temperature).toBe(with_.temperature);
      snrWith.push(with_.snr!);
      snrWithout.push(without.snr!);
    }
    expect(mean(snrWith) - mean(snrWithout)).toBeGreaterThan(500);
  });

  it('behavior: the gas baseline drifts over weeks, differently per device, and stays within range', () => {
    const drifts = [1, 2, 3, 4, 5, 6].map((seed) => {
      const sensors = createSensorModel(seededRandom(seed, 'gas', 0), 0, { noiseScale: 0 });
      const weekMean = (week: number): number =>
        mean(Array.from({ length: 200 }, (_, k) => sensors.sample(week * 7 * 86_400_000 + k * 3_000_000, still(52.5, 13.4)).gasResistance!));
      return weekMean(8) / weekMean(0) - 1;
    });
    expect(mean(drifts.map(Math.abs))).toBeGreaterThan(0.02);
    expect(Math.max(...drifts.map(Math.abs))).toBeLessThan(0.5);
    expect(new Set(drifts.map(Math.sign)).size).toBe(2);
  });

  it('behavior: noiseScale 0 gives repeatable values; same seed, same readings', () => {
    const a = createSensorModel(seededRandom(6, 's', 0), 0);
    const b = createSensorModel(seededRandom(6, 's', 0), 0);
    for (let k = 1; k < 50; k++) expect(a.sample(k * 1000, still(52.5, 13.4))).toEqual(b.sample(k * 1000, still(52.5, 13.4)));
  });
});
