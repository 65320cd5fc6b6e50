import type { Random } from '../../core/ports.ts';
import type { SensorData } from '../codec/sensor-data.ts';
import type { Fix } from '../motion/model.ts';
import { forkRandom, gaussian, uniform } from '../random.ts';
import { createBattery } from './battery.ts';
import { createImu } from './imu.ts';
import { SENSOR_LIMITS, SENSOR_SCALES } from './scales.ts';
import { weatherAt } from './weather.ts';

/** Produces one reading's sensor values; other models (faulty, spoofed) implement this too. */
export interface SensorModel {
  sample(tMs: number, fix: Fix): SensorData;
}

const clampTo = (v: number, [lo, hi]: readonly [number, number]): number => (v < lo ? lo : v > hi ? hi : v);
const HEX = '0123456789ABCDEF';

/**
 * Plausible Pebble readings: shared weather seen through per-device offsets (a pocket is warmer,
 * a bag darker), a discharging battery, an IMU that shakes while moving, and measurement noise.
 */
export function createSensorModel(random: Random, startMs: number): SensorModel {
  const traits = forkRandom(random);
  const noise = forkRandom(random);
  const battery = createBattery(traits, startMs);
  const imu = createImu(traits);
  const warmthC = uniform(traits, -0.5, 2.5);
  const dieWarmthC = uniform(traits, 2, 5);
  const lightExposure = uniform(traits, 0.005, 0.5);
  const gasBaseOhm = uniform(traits, 80_000, 250_000);
  const gasPhase = uniform(traits, 0, 2 * Math.PI);
  const snrBaseDb = uniform(traits, 8, 22);
  const s = SENSOR_SCALES;
  const L = SENSOR_LIMITS;

  return {
    sample(tMs, fix) {
      const w = weatherAt(tMs, fix.latitude, fix.longitude);
      const temperatureC = w.temperatureC + warmthC + gaussian(noise) * 0.1;
      const humidityPct = Math.min(99, Math.max(15, w.humidityPct - 2 * warmthC + gaussian(noise) * 0.5));
      const lux = 1 + w.daylightLux * lightExposure * (1 + gaussian(noise) * 0.05);
      const gasOhm =
        gasBaseOhm * (1 + 0.15 * Math.sin((2 * Math.PI * tMs) / 32_400_000 + gasPhase)) * (1 - 0.004 * (humidityPct - 50)) * (1 + gaussian(noise) * 0.015);
      const snrDb = snrBaseDb - (fix.moving ? Math.min(6, fix.speedMps / 3) : 0) + gaussian(noise) * 2;
      const { accelerometer, gyroscope } = imu(fix.speedMps, noise);
      let random16 = '';
      for (let k = 0; k < 16; k++) random16 += HEX[Math.floor(noise.next() * 16)];
      return {
        snr: clampTo(Math.round(snrDb * s.snr.scale), L.snr),
        vbat: battery.millivolts(tMs, noise),
        latitude: Math.round(fix.latitude * s.latitude.scale),
        longitude: Math.round(fix.longitude * s.longitude.scale),
        gasResistance: clampTo(Math.round(gasOhm * s.gasResistance.scale), L.gasResistance),
        temperature: clampTo(Math.round(temperatureC * s.temperature.scale), L.temperature),
        pressure: clampTo(Math.round((w.pressureHpa + gaussian(noise) * 0.05) * s.pressure.scale), L.pressure),
        humidity: clampTo(Math.round(humidityPct * s.humidity.scale), L.humidity),
        light: clampTo(Math.round(lux * s.light.scale), L.light),
        // uint32 on the wire: the die cannot report below 0 °C, so cold readings clamp there.
        temperature2: clampTo(Math.round((temperatureC + dieWarmthC) * s.temperature2.scale), L.temperature2),
        gyroscope,
        accelerometer,
        random: random16,
      };
    },
  };
}
