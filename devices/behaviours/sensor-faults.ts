import type { z } from 'zod';
import type { Random } from '../../core/ports.ts';
import type { SensorData } from '../../protocol/codec/sensor-data.ts';
import type { BatteryFailure } from '../tracker/battery.ts';
import { forkRandom, gaussian } from '../random.ts';
import { SENSOR_LIMITS } from '../sensors/scales.ts';
import { clampTo, type SensorModel } from '../sensors/sensors.ts';
import { draw } from './draw.ts';
import type { batteryFailureSchema, noisySensorSchema, SensorField, stuckSensorSchema } from './schemas.ts';

/** Normal measurement noise per field in encoded units (relative for fields marked so). */
const NOISE: Record<SensorField, { sigma: number; relative?: true }> = {
  snr: { sigma: 200 },
  vbat: { sigma: 4 },
  gasResistance: { sigma: 0.015, relative: true },
  temperature: { sigma: 10 },
  pressure: { sigma: 5 },
  humidity: { sigma: 50 },
  light: { sigma: 0.05, relative: true },
  temperature2: { sigma: 10 },
  gyroscope: { sigma: 3 },
  accelerometer: { sigma: 33 },
};

type Mutable = { -readonly [K in keyof SensorData]: SensorData[K] };

/** Fields that stop changing after a time: each keeps the value it had when it froze. */
export function stuckSensor(base: SensorModel, params: z.output<typeof stuckSensorSchema>, random: Random, startMs: number): SensorModel {
  const atMs = startMs + draw(params.afterS, forkRandom(random)) * 1000;
  let frozen: Mutable | undefined;
  return {
    sample(tMs, fix) {
      const data = base.sample(tMs, fix) as Mutable;
      if (tMs < atMs) return data;
      frozen ??= { ...data };
      const out: Mutable = { ...data };
      for (const field of params.fields) (out as Record<string, unknown>)[field] = frozen[field];
      return out;
    },
  };
}

/** Far more noise than the sensor's own, and now and then a wild spike. */
export function noisySensor(base: SensorModel, params: z.output<typeof noisySensorSchema>, random: Random): SensorModel {
  const noise = forkRandom(random);
  const clampField = (field: SensorField, v: number): number => clampTo(Math.round(v), SENSOR_LIMITS[field]);
  return {
    sample(tMs, fix) {
      const out: Mutable = { ...base.sample(tMs, fix) };
      const spiked = noise.next() < params.spikeProbability ? params.fields[Math.floor(noise.next() * params.fields.length)] : undefined;
      for (const field of params.fields) {
        const { sigma, relative } = NOISE[field];
        const spike = field === spiked ? 50 : 1;
        const perturb = (v: number): number => clampField(field, v + gaussian(noise) * params.factor * spike * (relative ? sigma * Math.abs(v) : sigma));
        const value = out[field];
        if (Array.isArray(value)) (out as Record<string, unknown>)[field] = value.map(perturb);
        else if (typeof value === 'number') (out as Record<string, unknown>)[field] = perturb(value);
      }
      return out;
    },
  };
}

/** When and how hard the cell fails, drawn once per device from its behaviour stream. */
export function drawBatteryFailure(params: z.output<typeof batteryFailureSchema>, random: Random, startMs: number): BatteryFailure {
  const own = forkRandom(random);
  const atMs = startMs + draw(params.afterS, own) * 1000;
  const dropMv = draw(params.dropMv, own);
  return { atMs, dropMv, declineMvPerHour: params.declineMvPerHour };
}

/**
 * A cell that fails: a sudden voltage drop, then a steady fall to the cut-off. The tracker's
 * battery model takes the same failure (TrackerBehaviour.batteryFailure: the device sleeps and
 * dies early, and its `vbat` follows); this sensor-level `vbat` is what a tracker without a
 * battery model reports.
 */
export function batteryFailure(base: SensorModel, failure: BatteryFailure): SensorModel {
  const { atMs, dropMv, declineMvPerHour } = failure;
  return {
    sample(tMs, fix) {
      const data = base.sample(tMs, fix);
      if (tMs < atMs || data.vbat === undefined) return data;
      const sinceH = (tMs - atMs) / 3_600_000;
      return { ...data, vbat: clampTo(Math.round(data.vbat - dropMv - declineMvPerHour * sinceH), SENSOR_LIMITS.vbat) };
    },
  };
}
