import type { Random } from '../../core/ports.ts';
import { gaussian, uniform } from '../random.ts';

/** Open-circuit voltage of a Li-ion cell by state of charge (typical 18650/LiPo curve). */
const OCV_CURVE: ReadonlyArray<readonly [number, number]> = [
  [0, 3300],
  [0.05, 3500],
  [0.1, 3600],
  [0.2, 3680],
  [0.4, 3760],
  [0.6, 3860],
  [0.8, 3980],
  [0.9, 4070],
  [1, 4180],
];

/** Owners recharge at 5 %: the charge is a sawtooth between 5 % and 100 %. */
const RECHARGE_AT = 0.05;
/** Voltage sag while the modem transmits the reading. */
const LOAD_DROP_MV = 35;

export interface BatteryModel {
  /** State of charge in [0.05, 1] at `tMs`. */
  chargeAt(tMs: number): number;
  /** Battery voltage in mV under transmit load at `tMs` (draws measurement noise from `random`, scaled by `noiseScale`). */
  millivolts(tMs: number, random: Random, noiseScale?: number): number;
}

export function createBattery(random: Random, startMs: number): BatteryModel {
  const initial = uniform(random, 0.4, 1);
  const drainPerHour = uniform(random, 0.01, 0.025);
  const chargeAt = (tMs: number): number => {
    const hours = Math.max(0, tMs - startMs) / 3_600_000;
    return 1 - ((1 - initial + drainPerHour * hours) % (1 - RECHARGE_AT));
  };
  return {
    chargeAt,
    millivolts(tMs, noise, noiseScale = 1) {
      const mv = openCircuitMv(chargeAt(tMs)) - LOAD_DROP_MV + gaussian(noise) * 4 * noiseScale;
      return Math.round(Math.min(4250, Math.max(3000, mv)));
    },
  };
}

export function openCircuitMv(charge: number): number {
  for (let k = 1; k < OCV_CURVE.length; k++) {
    const [s1, v1] = OCV_CURVE[k]!;
    if (charge <= s1) {
      const [s0, v0] = OCV_CURVE[k - 1]!;
      return v0 + ((v1 - v0) * (charge - s0)) / (s1 - s0);
    }
  }
  return OCV_CURVE[OCV_CURVE.length - 1]![1];
}

/** The state of charge whose open-circuit voltage is `mv` (inverse of `openCircuitMv`), clamped to [0, 1]. */
export function chargeAtMv(mv: number): number {
  if (mv <= OCV_CURVE[0]![1]) return 0;
  for (let k = 1; k < OCV_CURVE.length; k++) {
    const [s1, v1] = OCV_CURVE[k]!;
    if (mv <= v1) {
      const [s0, v0] = OCV_CURVE[k - 1]!;
      return s0 + ((s1 - s0) * (mv - v0)) / (v1 - v0);
    }
  }
  return 1;
}
