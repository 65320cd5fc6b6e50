import { latLngToCell } from 'h3-js';
import { epochRewards, factsFromReadings, isProRata, type RewardPolicy } from '../../core/reward-policy/index.ts';
import type { DeviceEpochWork, WorkReading } from '../../core/reward-rule.ts';

/** An epoch's work priced by the reward policy, and what the contract is told before it settles. */
export interface PricedEpoch {
  /** The same devices, in the same order, with the policy's units, coverage and reward. */
  work: DeviceEpochWork[];
  /** T_e: Σ units over the epoch's devices. */
  totalUnits: bigint;
  /** E_e (pro rata) or Σ rewards (rate). */
  emissionWei: bigint;
  dustWei: bigint;
}

/**
 * Whether pricing a device needs the rest of its epoch: coverage's density counts every device
 * of a cell, and a pro-rata share divides by the epoch's total. Otherwise each device is priced
 * alone as the close streams it, and its batch is proven while the close goes on.
 */
export function pricesWholeEpoch(policy: RewardPolicy): boolean {
  return policy.coverage !== undefined || isProRata(policy);
}

/**
 * Applies the policy (core/reward-policy/rewards.ts, the one definition) to work summarized by
 * today's rule: each device's facts come from the readings it commits (the K selected, with
 * flags), its cells are the h3 cells of its counted readings at the policy's resolution.
 */
export function priceEpoch(policy: RewardPolicy, epoch: number, work: readonly DeviceEpochWork[], readingsPerDevice: number): PricedEpoch {
  const resolution = policy.coverage?.resolution;
  const cellOf = resolution === undefined ? undefined : (r: WorkReading) => latLngToCell(r.latE7 / 1e7, r.lonE7 / 1e7, resolution);
  const facts = work.map((w) => factsFromReadings(w.deviceIndex, w.readings, policy, readingsPerDevice, cellOf));
  const rewards = epochRewards(policy, epoch, facts);
  const byIndex = new Map(rewards.devices.map((d) => [d.deviceIndex, d]));
  return {
    work: work.map((w) => {
      const d = byIndex.get(w.deviceIndex)!;
      return { ...w, units: d.units, rewardWei: d.rewardWei, ...(d.coverageUnits === 0n ? {} : { coverageUnits: d.coverageUnits }) };
    }),
    totalUnits: rewards.totalUnits,
    emissionWei: rewards.emissionWei,
    dustWei: rewards.dustWei,
  };
}
