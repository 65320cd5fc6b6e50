import type { CircuitPolicy } from '../reward-rule.ts';
import { decayFactorE18, GWEI } from './emission.ts';
import type { RewardPolicy } from './types.ts';

/**
 * The policy as the circuit and the contract take it (circuits/batch.circom, contracts/Settlement.sol).
 * The circuit enforces the per-device part (cap, minimum, epoch penalty; coverage units come in
 * as committed inputs) and says which devices had a flagged reading; the contract holds the
 * emission schedule, shares it pro rata, and slashes the stakes of flagged devices.
 */
export interface ChainPolicy {
  readonly circuit: CircuitPolicy;
  /** 0 rate, 1 constant, 2 halving, 3 decay: Settlement.sol's emissionKind. */
  readonly emissionKind: 0 | 1 | 2 | 3;
  /** constant: E_e; halving/decay: E_0; in gwei (0 for a rate). */
  readonly emissionGwei: bigint;
  readonly halvingEvery: number;
  /** The decay's per-epoch factor, computed once here (emission.ts) and a constant on chain. */
  readonly decayQE18: bigint;
  readonly maxSupplyWei: bigint;
  /** Each device's stake in token wei (0: no stakes) and what a flagged device-epoch slashes of what is left. */
  readonly stakeWei: bigint;
  readonly slashBps: number;
}

export function circuitPolicyOf(policy: RewardPolicy): CircuitPolicy {
  return { capUnits: policy.capUnits ?? 0n, minSamples: policy.minSamples ?? 0, epochPenalty: policy.flagPenalty === 'epoch' };
}

export function chainPolicyOf(policy: RewardPolicy): ChainPolicy {
  const base = {
    circuit: circuitPolicyOf(policy), halvingEvery: 0, decayQE18: 0n, maxSupplyWei: policy.maxSupplyWei,
    stakeWei: policy.stake?.perDeviceWei ?? 0n, slashBps: policy.stake?.slashBps ?? 0,
  };
  const { emission } = policy;
  switch (emission.kind) {
    case 'rate':
      return { ...base, emissionKind: 0, emissionGwei: 0n };
    case 'constant':
      return { ...base, emissionKind: 1, emissionGwei: emission.perEpochWei / GWEI };
    case 'halving':
      return { ...base, emissionKind: 2, emissionGwei: emission.initialWei / GWEI, halvingEvery: emission.everyEpochs };
    case 'decay':
      return { ...base, emissionKind: 3, emissionGwei: emission.initialWei / GWEI, decayQE18: decayFactorE18(emission.yearlyDecay, emission.epochsPerYear) };
  }
}

/** Whether the policy shares a scheduled emission (the contract needs openEpoch before settling). */
export function isProRata(policy: RewardPolicy): boolean {
  return policy.emission.kind !== 'rate';
}
