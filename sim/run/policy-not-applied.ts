import { defaultPolicy } from '../../core/reward-policy/index.ts';
import type { Scenario } from '../../scenarios/index.ts';

const bigints = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/**
 * A scenario's `policy:` is parsed and checked (core/reward-policy/), but a run's pipeline still
 * pays by today's rule (`reward:`): the warning a run gives before anything starts when the
 * policy says otherwise, so nobody reads a payout as the policy's. Undefined for today's rule.
 */
export function policyNotApplied(scenario: Scenario, source: string): string | undefined {
  const today = defaultPolicy({ unitsPerSample: BigInt(scenario.reward.unitsPerSample), maxStepE7: BigInt(scenario.reward.maxStepE7), rewardPerUnitWei: scenario.reward.rewardPerUnitWei });
  if (JSON.stringify(scenario.policy, bigints) === JSON.stringify(today, bigints)) return undefined;
  return `${source}: policy: is checked but not yet applied by a run, which pays by reward: (units × rewardPerUnitWei) as before; the policy is for the economics lab, which is being built (issue 20)`;
}
