import type { Logger } from '../../core/ports.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { CircuitShape, RuleParams } from '../../core/reward-rule.ts';

/** Stop steps registered as resources start; run last-first, each even when another fails. */
export type Cleanups = Array<() => Promise<void> | void>;

export async function runCleanups(cleanups: Cleanups, logger: Logger): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (error) {
      logger.warn(`clean-up step failed: ${(error as Error).message}`);
    }
  }
}

/** The proof shape and reward rule parameters a scenario sets. */
export function ruleOf(scenario: Scenario): { shape: CircuitShape; params: RuleParams } {
  return {
    shape: { batchSize: scenario.circuit.batchSize, readingsPerDevice: scenario.circuit.readingsPerDevice },
    params: {
      unitsPerSample: BigInt(scenario.reward.unitsPerSample),
      maxStepE7: BigInt(scenario.reward.maxStepE7),
      rewardPerUnitWei: scenario.reward.rewardPerUnitWei,
    },
  };
}
