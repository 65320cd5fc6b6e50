import type { Random } from '../../core/ports.ts';
import type { SensorData } from '../../protocol/codec/sensor-data.ts';
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

export interface SensorModelOptions {
  /** Multiplies every measurement noise; 0 gives perfectly smooth values (an emulator). Default 1. */
  readonly noiseScale?: number;
}

export const clampTo = (v: number, [lo, hi]: readonly [number, number]): number => (v < lo ? lo : v > hi ? hi : v);
const HEX = '0123456789ABCDEF';
const DAY_MS = 86_400_000;
/** Cellular reception is worse where GPS is lost (tunnels, garages, urban canyons). */
const NO_FIX_SNR_LOSS_DB = 8;
/** Speed changes over longer gaps say nothing about what the IMU felt at sampling time. */
const MAX_IMU_GAP_S = 120;

/**
 * Plausible Pebble readings: shared weather seen through per-device offsets (a pocket is warmer,
 * a bag darker), a discharging battery, an IMU that feels gravity, speed changes and turns,
 * a gas sensor whose baseline ages, cellular SNR that drops with speed and without GPS, and
 * measurement noise. Without a fix the reading omits latitude and longitude, as the firmware does.
 */
export function createSensorModel(random: Random, startMs: number, options: SensorModelOptions = {}): SensorModel {
  const traits = forkRandom(random);
  const noise = forkRandom(random);
  const k = options.noiseScale ?? 1;
  const battery = createBattery(traits, startMs);
  const imu = createImu(traits);
  const warmthC = uniform(traits, -0.5, 2.5);
  const dieWarmthC = uniform(traits, 2, 5);
  const lightExposure = uniform(traits, 0.005, 0.5);
  const gasBaseOhm = uniform(traits, 80_000, 250_000);
  const gasPhase = uniform(traits, 0, 2 * Math.PI);
  const snrBaseDb = uniform(traits, 8, 22);
  // Metal-oxide sensors age: the clean-air baseline drifts by up to ±0.3 % a day.
  const gasDriftPerDay = uniform(traits, -0.003, 0.003);
  const s = SENSOR_SCALES;
  const L = SENSOR_LIMITS;
  let previous: { tMs: number; speedMps: number; headingDeg: number } | undefined;

  return {
    sample(tMs, fix) {
      const w = weatherAt(tMs, fix.latitude, fix.longitude);
      const hasFix = fix.hasFix !== false;
      const temperatureC = w.temperatureC + warmthC + gaussian(noise) * 0.1 * k;
      const humidityPct = Math.min(99, Math.max(15, w.humidityPct - 2 * warmthC + gaussian(noise) * 0.5 * k));
      const lux = 1 + w.daylightLux * lightExposure * (1 + gaussian(noise) * 0.05 * k);
      const days = (tMs - startMs) / DAY_MS;
      const gasOhm =
        gasBaseOhm *
        Math.exp(gasDriftPerDay * days) *
        (1 + 0.15 * Math.sin((2 * Math.PI * tMs) / 32_400_000 + gasPhase)) *
        (1 - 0.004 * (humidityPct - 50)) *
        (1 + gaussian(noise) * 0.015 * k);
      const snrDb = snrBaseDb - (fix.moving ? Math.min(6, fix.speedMps / 3) : 0) - (hasFix ? 0 : NO_FIX_SNR_LOSS_DB) + gaussian(noise) * 2 * k;

      let forwardMps2 = 0;
      let turnDps = 0;
      const gapS = previous ? (tMs - previous.tMs) / 1000 : 0;
      if (previous && gapS > 0 && gapS <= MAX_IMU_GAP_S) {
        const dtS = Math.max(gapS, 1);
        forwardMps2 = Math.max(-6, Math.min(6, (fix.speedMps - previous.speedMps) / dtS));
        const turned = ((((previous.headingDeg - fix.headingDeg) % 360) + 540) % 360) - 180;
        turnDps = fix.speedMps > 0 ? Math.max(-90, Math.min(90, turned / dtS)) : 0;
      }
      if (!previous || tMs > previous.tMs) previous = { tMs, speedMps: fix.speedMps, headingDeg: fix.headingDeg };
      const { accelerometer, gyroscope } = imu({ speedMps: fix.speedMps, forwardMps2, turnDps }, noise, k);

      let random16 = '';
      for (let j = 0; j < 16; j++) random16 += HEX[Math.floor(noise.next() * 16)];
      return {
        snr: clampTo(Math.round(snrDb * s.snr.scale), L.snr),
        vbat: battery.millivolts(tMs, noise, k),
        latitude: hasFix ? Math.round(fix.latitude * s.latitude.scale) : undefined,
        longitude: hasFix ? Math.round(fix.longitude * s.longitude.scale) : undefined,
        gasResistance: clampTo(Math.round(gasOhm * s.gasResistance.scale), L.gasResistance),
        temperature: clampTo(Math.round(temperatureC * s.temperature.scale), L.temperature),
        pressure: clampTo(Math.round((w.pressureHpa + gaussian(noise) * 0.05 * k) * s.pressure.scale), L.pressure),
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
