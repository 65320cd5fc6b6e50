import { chargeAtMv, openCircuitMv } from '../sensors/battery.ts';
import type { TrackerState } from './machine.ts';

/**
 * The tracker's energy budget: charge drains at a current set by the machine's state, plus a
 * fixed cost per sample and per published message, so drain depends on state and upload period.
 * The figures are a plausible nRF9160-class LTE-M tracker, not a measurement: scenarios set them.
 */
export interface BatteryOptions {
  readonly capacityMah: number;
  /** State of charge at power-on, in (0, 1]; a [min, max] range draws it per device from the seed. */
  readonly initialCharge: number | readonly [number, number];
  /** At or below this charge the device goes to `sleeping`. */
  readonly lowCharge: number;
  /** Average current by state, mA. */
  readonly currentMa: Readonly<Record<TrackerState, number>>;
  /** Charge one sample (GPS fix, sensors) costs, mAh. */
  readonly sampleMah: number;
  /** Charge one published message (modem transmit) costs, mAh. */
  readonly publishMah: number;
}

/** Battery options as given: any subset, currents per state too. */
export type BatteryOptionsInput = Partial<Omit<BatteryOptions, 'currentMa'>> & { readonly currentMa?: Partial<Record<TrackerState, number>> };

export const DEFAULT_BATTERY: BatteryOptions = {
  capacityMah: 1_000,
  initialCharge: [0.4, 1],
  lowCharge: 0.05,
  currentMa: {
    off: 0,
    booting: 20,
    registering: 15,
    connecting: 15,
    online: 4,
    backoff: 2,
    buffering: 2,
    updating: 40,
    sleeping: 0.05,
    dead: 0,
    stopped: 0,
  },
  sampleMah: 0.002,
  publishMah: 0.01,
};

/** Voltage sag while the modem transmits. */
const LOAD_DROP_MV = 35;
const MS_PER_HOUR = 3_600_000;

export interface BatteryState {
  readonly options: BatteryOptions;
  /** Charge left, mAh. */
  mah: number;
  /** Time up to which drain is accounted. */
  settledMs: number;
  /** Self-discharge of a failed cell, mA, on top of the state's current (0 for a healthy one). */
  leakMa: number;
}

/** A cell failure (fault `battery-failure`): a sudden voltage drop, then a steady decline. */
export interface BatteryFailure {
  /** Simulated time of the failure. */
  readonly atMs: number;
  readonly dropMv: number;
  readonly declineMvPerHour: number;
}

export function createBatteryState(options: BatteryOptions, initialCharge: number, nowMs: number): BatteryState {
  return { options, mah: options.capacityMah * initialCharge, settledMs: nowMs, leakMa: 0 };
}

/** Accounts the time since the last settle at the current of `state` (the state the device was in all along). */
export function settleBattery(battery: BatteryState, state: TrackerState, nowMs: number): void {
  const hours = Math.max(0, nowMs - battery.settledMs) / MS_PER_HOUR;
  const mah = battery.mah - (battery.options.currentMa[state] + (state === 'stopped' ? 0 : battery.leakMa)) * hours;
  battery.mah = mah < 1e-9 ? 0 : mah; // a timer set for "empty" lands there despite rounding
  battery.settledMs = Math.max(battery.settledMs, nowMs);
}

export function spendBattery(battery: BatteryState, mah: number): void {
  battery.mah = Math.max(0, battery.mah - mah);
}

export const chargeOf = (battery: BatteryState): number => battery.mah / battery.options.capacityMah;

/** Battery voltage under transmit load, mV, following the charge (Li-ion open-circuit curve). */
export const batteryMillivolts = (battery: BatteryState): number => Math.round(openCircuitMv(chargeOf(battery)) - LOAD_DROP_MV);

/** Milliseconds until the charge reaches `targetCharge` at the current of `state`; Infinity if it never does. */
export function msUntilCharge(battery: BatteryState, state: TrackerState, targetCharge: number): number {
  const current = battery.options.currentMa[state] + battery.leakMa;
  const mahToGo = battery.mah - targetCharge * battery.options.capacityMah;
  if (mahToGo <= 0) return 0;
  return current > 0 ? Math.ceil((mahToGo / current) * MS_PER_HOUR) : Infinity;
}

/**
 * The cell fails now (settle it first): its open-circuit voltage drops by `dropMv` — the charge
 * falls to what the Li-ion curve gives for that voltage — and from then on it leaks the current
 * that lowers the voltage by `declineMvPerHour` at the post-failure point of the curve.
 */
export function failBattery(battery: BatteryState, failure: Pick<BatteryFailure, 'dropMv' | 'declineMvPerHour'>): void {
  const { capacityMah } = battery.options;
  const mv = openCircuitMv(chargeOf(battery)) - failure.dropMv;
  const after = Math.min(chargeOf(battery), chargeAtMv(mv));
  battery.mah = after * capacityMah;
  const hourLater = chargeAtMv(mv - failure.declineMvPerHour);
  battery.leakMa += Math.max(0, (after - hourLater) * capacityMah);
}
