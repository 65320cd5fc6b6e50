import { GWEI, scheduledEmissionWei } from './emission.ts';
import type { RewardPolicy } from './types.ts';

/**
 * The rule of rewards.ts in float64, for the sweep (30 million device-epochs): no BigInt, no
 * allocation per device. Same steps in the same order. A pro-rata reward is exactly the exact
 * rule's and the contract's gwei, read as Math.round(rewardWei / 1e9), while u · E_e/1e9 < 2^53
 * (e.g. 10^4 units of an epoch emitting 900,000 tokens); beyond that float rounding keeps it
 * within 1 gwei (test/core/reward-policy-fast.test.ts). A rate's reward is exact while
 * u · rewardPerUnitWei < 2^53. Coverage units come in already computed per device
 * (the sweep's cell model applies cellUnits of rewards.ts); stake and slashes are left to the caller.
 */
export interface FastPolicy {
  readonly rate: boolean;
  readonly rewardPerUnitWei: number;
  readonly unitsPerSample: number;
  readonly capUnits: number;
  readonly minSamples: number;
  readonly epochPenalty: boolean;
}

export function fastPolicy(policy: RewardPolicy): FastPolicy {
  return {
    rate: policy.emission.kind === 'rate',
    rewardPerUnitWei: policy.emission.kind === 'rate' ? Number(policy.emission.rewardPerUnitWei) : 0,
    unitsPerSample: Number(policy.unitsPerSample),
    capUnits: policy.capUnits === undefined ? Infinity : Number(policy.capUnits),
    minSamples: policy.minSamples ?? 0,
    epochPenalty: policy.flagPenalty === 'epoch',
  };
}

/** E_e in wei as a number (0 for a rate). */
export function fastEmissionWei(policy: RewardPolicy, epoch: number): number {
  return Number(scheduledEmissionWei(policy.emission, epoch) ?? 0n);
}

const GWEI_NUMBER = Number(GWEI);

/**
 * Fills units[0..n) and rewardWei[0..n) for one epoch's n devices; returns T_e. For a pro-rata
 * emission reward_i = floor(u_i · (E_e/1e9) / T_e) · 1e9, as the exact rule.
 */
export function fastEpochRewards(
  p: FastPolicy, emissionWei: number, n: number,
  counted: ArrayLike<number>, stepUnits: ArrayLike<number>, flaggedReadings: ArrayLike<number>, coverageUnits: ArrayLike<number> | undefined,
  units: Float64Array, rewardWei: Float64Array,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let u = p.unitsPerSample * counted[i]! + stepUnits[i]! + (coverageUnits === undefined ? 0 : coverageUnits[i]!);
    if (p.epochPenalty && flaggedReadings[i]! > 0) u = 0;
    if (counted[i]! < p.minSamples) u = 0;
    if (u > p.capUnits) u = p.capUnits;
    units[i] = u;
    total += u;
  }
  const gwei = Math.floor(emissionWei / GWEI_NUMBER);
  for (let i = 0; i < n; i++) {
    rewardWei[i] = p.rate ? units[i]! * p.rewardPerUnitWei : total === 0 ? 0 : shareGwei(units[i]!, gwei, total) * GWEI_NUMBER;
  }
  return total;
}

/**
 * floor(u · g / t) in gwei, exactly as the contract divides while u · g < 2^53 (a float
 * division of exact integers can land on the next integer up, so the quotient is corrected);
 * above that the product is rounded and the result is within a gwei of the exact share.
 */
function shareGwei(u: number, g: number, t: number): number {
  const product = u * g;
  let q = Math.floor(product / t);
  if (product <= Number.MAX_SAFE_INTEGER) {
    if (q * t > product) q -= 1;
    else if ((q + 1) * t <= product) q += 1;
  }
  return q;
}
