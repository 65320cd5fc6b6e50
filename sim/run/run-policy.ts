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
 * What of the policy a run does not apply, said before anything starts so nobody reads a payout
 * as the policy's: stake and slashing are modelled by the sweep only (the chain holds no stakes).
 */
export function policyNotApplied(scenario: Scenario, source: string): string | undefined {
  if (scenario.policy.stake === undefined) return undefined;
  return `${source}: policy.stake is modelled by \`pinbench sweep\` only: a run's contracts hold no stakes and slash nothing; rewards follow the rest of the policy`;
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
