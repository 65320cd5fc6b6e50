import type { Random } from '../../core/ports.ts';
import { gaussian } from '../random.ts';
import { SENSOR_SCALES } from './scales.ts';

const ACCEL_LSB_PER_G = SENSOR_SCALES.accelerometer.scale;
const GYRO_LSB_PER_DPS = SENSOR_SCALES.gyroscope.scale;
const G_MPS2 = 9.80665;

/** Vibration by how the device travels: walking shakes it most, a car least. */
function activity(speedMps: number): { accelG: number; gyroDps: number } {
  if (speedMps <= 0) return { accelG: 0.004, gyroDps: 0.15 };
  if (speedMps < 3) return { accelG: 0.25, gyroDps: 40 };
  if (speedMps < 8) return { accelG: 0.15, gyroDps: 20 };
  return { accelG: 0.06, gyroDps: 6 };
}

/** Movement between two samples, as the IMU would integrate it. */
export interface ImuMotion {
  readonly speedMps: number;
  /** Change of speed along the direction of travel (m/s²): braking, pulling away. */
  readonly forwardMps2?: number;
  /** Turning rate about the vertical axis (°/s), counter-clockwise positive. */
  readonly turnDps?: number;
}

const int16 = (v: number): number => Math.max(-32_768, Math.min(32_767, Math.round(v)));

export type Imu = (motion: ImuMotion, noise: Random, noiseScale?: number) => { accelerometer: number[]; gyroscope: number[] };

/**
 * Raw accelerometer/gyroscope counts: gravity along the device's resting orientation, the
 * speed change along x (the device lies along the direction of travel), the turn about z, and
 * vibration noise (scaled by `noiseScale`; 0 gives the smooth output of an emulator).
 */
export function createImu(random: Random): Imu {
  // A resting tilt of up to ~25° from flat, fixed per device.
  const tiltX = gaussian(random) * 0.2;
  const tiltY = gaussian(random) * 0.2;
  const norm = Math.hypot(tiltX, tiltY, 1);
  const gravity = [tiltX / norm, tiltY / norm, 1 / norm];
  return (motion, noise, noiseScale = 1) => {
    const { accelG, gyroDps } = activity(motion.speedMps);
    const forwardG = (motion.forwardMps2 ?? 0) / G_MPS2;
    const turn = [0, 0, motion.turnDps ?? 0];
    return {
      accelerometer: gravity.map((g, k) => int16((g + (k === 0 ? forwardG : 0) + gaussian(noise) * accelG * noiseScale) * ACCEL_LSB_PER_G)),
      gyroscope: turn.map((w) => int16((w + gaussian(noise) * gyroDps * noiseScale) * GYRO_LSB_PER_DPS)),
    };
  };
}
