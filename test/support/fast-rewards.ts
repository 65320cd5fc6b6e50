import { cellOccupancy, deviceUnits, fastEmissionWei, fastEpochRewards, fastPolicy, type DeviceEpochFacts, type RewardPolicy } from '../../core/reward-policy/index.ts';

/**
 * The fast twin (core/reward-policy/rewards-fast.ts) on one epoch's facts, sorted by device
 * index as the exact rule's result is: coverage units from the exact rule's cell model.
 */
export function fastRewardsOf(policy: RewardPolicy, epoch: number, facts: readonly DeviceEpochFacts[]): { sorted: DeviceEpochFacts[]; total: number; units: Float64Array; reward: Float64Array } {
  const sorted = [...facts].sort((a, b) => a.deviceIndex - b.deviceIndex);
  const occupancy = cellOccupancy(sorted);
  const n = sorted.length;
  const units = new Float64Array(n);
  const reward = new Float64Array(n);
  const total = fastEpochRewards(
    fastPolicy(policy), fastEmissionWei(policy, epoch), n,
    Int32Array.from(sorted, (f) => f.countedSamples), Float64Array.from(sorted, (f) => Number(f.stepUnits)),
    Int32Array.from(sorted, (f) => f.flaggedReadings), Float64Array.from(sorted, (f) => Number(deviceUnits(policy, f, occupancy).coverageUnits)),
    units, reward,
  );
  return { sorted, total, units, reward };
}
