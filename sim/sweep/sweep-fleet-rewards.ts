import { BPS } from '../../core/reward-policy/policy.ts';
import { fastEmissionWei, fastEpochRewards, fastPolicy, type RewardPolicy } from '../../core/reward-policy/index.ts';
import type { Calibration } from './calibration.ts';
import { sampleFleet } from './fast-sampler.ts';

/** What one (parameter set, seed) paid each device of the drawn fleet over every epoch (wei as float64). */
export interface FleetRewards {
  /** Per device: Σ rewards over the epochs. */
  readonly rewardWei: Float64Array;
  /** Per device: Σ slashes of its stake (0 without stake). */
  readonly slashedWei: Float64Array;
  /** Σ step units (1e-7 degree, capped per step) of the device-epochs that earned units: the verified distance. */
  readonly paidStepUnits: number;
  readonly epochs: number;
}

/**
 * Draws the fleet for `seed` (fast-sampler.ts) and pays every epoch by the policy's float64 twin
 * (core/reward-policy/rewards-fast.ts). Coverage units follow rewards.ts step 2 over the drawn
 * fleet's cells: n_c = devices of the epoch whose record lists cell c (each record's cells are
 * distinct), each paid cellUnits(n_c). The calibration's cells are those of the counted readings
 * at its resolution, which is the set's coverage resolution (run-sweep.ts calibrates per resolution).
 * Stake (rewards.ts): a device-epoch with a flagged reading among its K slashes
 * floor(left · slashBps / 10000) of the stake left; the epoch penalty reads the same count.
 */
export function fleetRewards(calibration: Calibration, policy: RewardPolicy, profileOfDevice: Uint16Array, epochs: number, seed: number): FleetRewards {
  const devices = profileOfDevice.length;
  const fast = fastPolicy(policy);
  const emission = Array.from({ length: epochs }, (_, e) => fastEmissionWei(policy, e));
  const rewardWei = new Float64Array(devices);
  const slashedWei = new Float64Array(devices);
  const units = new Float64Array(devices);
  const paid = new Float64Array(devices);
  const coverage = policy.coverage;
  const coverageUnits = coverage === undefined ? undefined : new Float64Array(devices);
  const occupancy = coverage === undefined ? undefined : new Uint32Array(calibration.cellIds.length);
  const perCell = coverage === undefined ? 0 : Number(coverage.unitsPerCell);
  const target = coverage?.densityTarget ?? 0;
  const stake = policy.stake;
  const stakeLeft = stake === undefined ? undefined : new Float64Array(devices).fill(Number(stake.perDeviceWei));
  let paidStepUnits = 0;

  sampleFleet(calibration, { profileOfDevice, epochs, seed }, (epoch, counted, steps, flaggedReadings, offsets, cells) => {
    if (coverageUnits !== undefined && occupancy !== undefined) {
      for (let k = 0; k < cells.length; k++) occupancy[cells[k]!]! += 1;
      for (let d = 0; d < devices; d++) {
        let u = 0;
        for (let k = offsets[d]!; k < offsets[d + 1]!; k++) {
          const n = occupancy[cells[k]!]!;
          u += n <= target ? perCell : Math.floor((perCell * target) / n);
        }
        coverageUnits[d] = u;
      }
      for (let k = 0; k < cells.length; k++) occupancy[cells[k]!] = 0;
    }
    fastEpochRewards(fast, emission[epoch]!, devices, counted, steps, flaggedReadings, coverageUnits, units, paid);
    for (let d = 0; d < devices; d++) {
      rewardWei[d]! += paid[d]!;
      if (units[d]! > 0) paidStepUnits += steps[d]!;
      if (stakeLeft !== undefined && flaggedReadings[d]! > 0) {
        const slash = Math.floor((stakeLeft[d]! * stake!.slashBps) / BPS);
        stakeLeft[d]! -= slash;
        slashedWei[d]! += slash;
      }
    }
  });
  return { rewardWei, slashedWei, paidStepUnits, epochs };
}
