import type { Random } from '../../core/ports.ts';
import { gaussian } from '../random.ts';
import { SENSOR_SCALES } from './scales.ts';

const ACCEL_LSB_PER_G = SENSOR_SCALES.accelerometer.scale;
const GYRO_LSB_PER_DPS = SENSOR_SCALES.gyroscope.scale;

/** Vibration by how the device travels: walking shakes it most, a car least. */
function activity(speedMps: number): { accelG: number; gyroDps: number } {
  if (speedMps <= 0) return { accelG: 0.004, gyroDps: 0.15 };
  if (speedMps < 3) return { accelG: 0.25, gyroDps: 40 };
  if (speedMps < 8) return { accelG: 0.15, gyroDps: 20 };
  return { accelG: 0.06, gyroDps: 6 };
}

const int16 = (v: number): number => Math.max(-32_768, Math.min(32_767, Math.round(v)));

/** Raw accelerometer/gyroscope counts: gravity along the device's resting orientation plus motion. */
export function createImu(random: Random): (speedMps: number, noise: Random) => { accelerometer: number[]; gyroscope: number[] } {
  // A resting tilt of up to ~25° from flat, fixed per device.
  const tiltX = gaussian(random) * 0.2;
  const tiltY = gaussian(random) * 0.2;
  const norm = Math.hypot(tiltX, tiltY, 1);
  const gravity = [tiltX / norm, tiltY / norm, 1 / norm];
  return (speedMps, noise) => {
    const { accelG, gyroDps } = activity(speedMps);
    return {
      accelerometer: gravity.map((g) => int16((g + gaussian(noise) * accelG) * ACCEL_LSB_PER_G)),
      gyroscope: [0, 1, 2].map(() => int16(gaussian(noise) * gyroDps * GYRO_LSB_PER_DPS)),
    };
  };
}
