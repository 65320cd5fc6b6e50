import { rewardWei, selectEpochReadings, workUnits, type RuleParams, type WorkReading } from '../../core/reward-rule.ts';
import type { StoredReading } from '../store/run-store.ts';

/** One device's paid work in one epoch, by the published rule (core/reward-rule.ts). */
export interface DeviceEpochWork {
  deviceIndex: number;
  /** Accepted readings of the epoch that count (the first `readingsPerDevice` by time). */
  readings: WorkReading[];
  units: bigint;
  rewardWei: bigint;
}

/** Per-device work of an epoch, for devices with at least one accepted reading, by device index. */
export function summarizeEpoch(
  byDevice: ReadonlyMap<number, readonly StoredReading[]>,
  params: RuleParams,
  readingsPerDevice: number,
): DeviceEpochWork[] {
  const work: DeviceEpochWork[] = [];
  for (const deviceIndex of [...byDevice.keys()].sort((a, b) => a - b)) {
    const stored = byDevice.get(deviceIndex)!;
    const readings = selectEpochReadings(
      stored.map((r) => ({ latE7: r.latE7, lonE7: r.lonE7, timestampS: r.timestampS })),
      readingsPerDevice,
    );
    const units = workUnits(readings, params, readingsPerDevice);
    work.push({ deviceIndex, readings, units, rewardWei: rewardWei(units, params) });
  }
  return work;
}

/** Cuts an epoch's work into proof batches of at most `batchSize` devices, in index order. */
export function planBatches<T>(work: readonly T[], batchSize: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < work.length; i += batchSize) batches.push(work.slice(i, i + batchSize));
  return batches;
}
