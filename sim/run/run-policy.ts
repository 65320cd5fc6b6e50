import { applyParamSet, defaultPolicy, validatePolicy, type RewardPolicy } from '../../core/reward-policy/index.ts';
import type { Scenario } from '../../scenarios/index.ts';

const bigints = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/**
 * The reward policy a run applies (core/reward-policy/): the scenario's `policy:`, or undefined
 * when that is today's rule (`reward:` alone: units × rewardPerUnitWei, nothing else), which
 * the epoch close's own summary already applies device by device, as before policies existed.
 */
export function runPolicyOf(scenario: Scenario): RewardPolicy | undefined {
  const today = defaultPolicy({ unitsPerSample: BigInt(scenario.reward.unitsPerSample), maxStepE7: BigInt(scenario.reward.maxStepE7), rewardPerUnitWei: scenario.reward.rewardPerUnitWei });
  if (JSON.stringify(scenario.policy, bigints) === JSON.stringify(today, bigints)) return undefined;
  return scenario.policy;
}

/**
 * The stakes of the devices the run bonds, with the emission, must fit the token's cap: checked
 * again once the fleet is planned (a replay's devices and attached ones are known only then),
 * before the chain or circuit start. Throws POLICY_INVALID naming policy.stake.perDeviceWei.
 */
export function checkStakeSupply(policy: RewardPolicy | undefined, scenario: Scenario, devices: number): void {
  if (policy?.stake === undefined) return;
  validatePolicy(policy, { epochs: scenario.epochs.count, readingsPerDevice: scenario.circuit.readingsPerDevice, devices });
}

/**
 * The scenario with one parameter set of a sweep applied to its policy (`pinbench run --params`),
 * checked as the scenario's own policy is (the supply over its epochs, minSamples against K), so a
 * bad set stops the run before anything starts.
 */
export function withParamSet(scenario: Scenario, label: string): Scenario {
  const epochsPerYear = Math.max(1, Math.round((365 * 86_400) / scenario.epochs.lengthS));
  const policy = applyParamSet(scenario.policy, label, { epochsPerYear });
  return { ...scenario, policy: validatePolicy(policy, { epochs: scenario.epochs.count, readingsPerDevice: scenario.circuit.readingsPerDevice }) };
}
