import { describe, expect, it } from 'vitest';
import { BERLIN, SENSOR_LIMITS, createSensorModel, createStreetGridMotion, seededRandom, snapToStreets, type MotionProfileName } from '../../devices/index.ts';
import { encodeSensorData, type SensorData } from '../../protocol/index.ts';

const start = snapToStreets(BERLIN, { lat: 52.52, lon: 13.405 });

function readings(profile: MotionProfileName, t0: number, count: number, stepMs: number, seed = 1): Array<{ data: SensorData; moving: boolean; t: number }> {
  const random = seededRandom(seed, 'sensors', 0);
  const motion = createStreetGridMotion({ area: BERLIN, profile, start, startMs: t0, random });
  const sensors = createSensorModel(random, t0);
  return Array.from({ length: count }, (_, k) => {
    const t = t0 + (k + 1) * stepMs;
    const fix = motion.sample(t);
    return { data: sensors.sample(t, fix), moving: fix.moving, t };
  });
}

const magnitude = (v: readonly number[]): number => Math.hypot(...v);
const rms = (values: number[]): number => Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);

describe('sensor model', () => {
  it('behavior: every field stays in its physical range over a year of readings, for every profile', () => {
    const violations: string[] = [];
    for (const profile of ['stationary', 'walk', 'bike', 'car'] as MotionProfileName[]) {
      for (const { data, t } of readings(profile, Date.UTC(2025, 0, 1), 365 * 3, 8 * 3_600_000 + 60_000, profile.length)) {
        const at = `${profile} @ ${new Date(t).toISOString()}`;
        for (const [field, [lo, hi]] of Object.entries(SENSOR_LIMITS)) {
          const value = data[field as keyof SensorData];
          for (const v of Array.isArray(value) ? value : [value]) {
            if (!Number.isInteger(v) || v < lo || v > hi) violations.push(`${at}: ${field}=${v}`);
          }
        }
        if (!(data.temperature! > -2_500 && data.temperature! < 4_000)) violations.push(`${at}: temperature ${data.temperature}`);
        if (!(data.pressure! > 98_000 && data.pressure! < 104_000)) violations.push(`${at}: pressure ${data.pressure}`);
        if (!/^[0-9A-F]{16}$/.test(data.random!)) violations.push(`${at}: random ${data.random}`);
        if (data.gyroscope!.length !== 3 || data.accelerometer!.length !== 3) violations.push(`${at}: IMU axes`);
        encodeSensorData(data);
      }
    }
    expect(violations).toEqual([]);
  });

  it('behavior: the accelerometer reads about 1 g at rest and shakes while walking; the gyroscope turns only when moving', () => {
    const still = readings('stationary', Date.UTC(2025, 5, 1), 200, 10_000);
    for (const { data } of still) {
      expect(magnitude(data.accelerometer!) / 8192).toBeGreaterThan(0.97);
      expect(magnitude(data.accelerometer!) / 8192).toBeLessThan(1.03);
      expect(Math.max(...data.gyroscope!.map(Math.abs))).toBeLessThan(20);
    }
    const walking = readings('walk', Date.UTC(2025, 5, 1), 400, 10_000).filter((r) => r.moving);
    expect(walking.length).toBeGreaterThan(100);
    const deviation = walking.map((r) => magnitude(r.data.accelerometer!) / 8192 - 1);
    expect(rms(deviation)).toBeGreaterThan(0.1);
    expect(rms(walking.flatMap((r) => r.data.gyroscope!.map((g) => g / 16.4)))).toBeGreaterThan(20);
  });

  it('behavior: the battery discharges over hours, then is recharged near empty', () => {
    const hourly = readings('walk', Date.UTC(2025, 5, 1), 24 * 10, 3_600_000).map((r) => r.data.vbat!);
    expect(hourly[5]!).toBeLessThan(hourly[0]! + 10);
    const drops = hourly.slice(1).filter((v, i) => v < hourly[i]! - 5).length;
    const jumps = hourly.slice(1).filter((v, i) => v > hourly[i]! + 200).length;
    expect(drops).toBeGreaterThan(100);
    expect(jumps).toBeGreaterThanOrEqual(1);
  });

  it('behavior: it is dark at night and brighter at midday; days are warmer than nights', () => {
    const day = readings('stationary', Date.UTC(2025, 6, 1, 11), 1, 0, 4)[0]!.data;
    const night = readings('stationary', Date.UTC(2025, 6, 1, 23), 1, 0, 4)[0]!.data;
    expect(night.light!).toBeLessThanOrEqual(200); // ≤ 2 lx
    expect(day.light!).toBeGreaterThan(night.light! * 50);
    expect(day.temperature!).toBeGreaterThan(night.temperature!);
  });

  it('args: the same random stream gives the same readings', () => {
    expect(readings('car', Date.UTC(2025, 1, 1), 50, 30_000, 9)).toEqual(readings('car', Date.UTC(2025, 1, 1), 50, 30_000, 9));
  });
});
