import { flagLargeJumps, rewardWei, selectEpochReadings, workUnits, type DeviceEpochWork, type RuleParams } from '../../core/reward-rule.ts';
import type { StoredReading } from '../store/run-store.ts';

/** One device's work in one epoch, by the published rule (core/reward-rule.ts). */
/**
 * One device's work from its accepted readings of the epoch. A device the epoch summary flagged
 * has every reading flagged: they are still committed and proven, and earn nothing. A jump too
 * large for the circuit (≥ 2^20 in latitude or longitude, ~11 km) flags the later reading.
 */
export function summarizeDevice(
  deviceIndex: number,
  stored: readonly StoredReading[],
  params: RuleParams,
  readingsPerDevice: number,
  flagged = false,
): DeviceEpochWork {
  const selected = selectEpochReadings(
    stored.map((r) => ({ latE7: r.latE7, lonE7: r.lonE7, timestampS: r.timestampS, ...(flagged ? { flagged } : {}) })),
    readingsPerDevice,
  );
  const readings = flagLargeJumps(selected, readingsPerDevice);
  const units = workUnits(readings, params, readingsPerDevice);
  return { deviceIndex, readings, units, rewardWei: rewardWei(units, params) };
}

/** Per-device work of an epoch, for devices with at least one accepted reading, by device index. */
export function summarizeEpoch(
  byDevice: ReadonlyMap<number, readonly StoredReading[]>,
  params: RuleParams,
  readingsPerDevice: number,
  flagged: ReadonlySet<number> = new Set(),
): DeviceEpochWork[] {
  return [...byDevice.keys()]
    .sort((a, b) => a - b)
    .map((deviceIndex) => summarizeDevice(deviceIndex, byDevice.get(deviceIndex)!, params, readingsPerDevice, flagged.has(deviceIndex)));
}
