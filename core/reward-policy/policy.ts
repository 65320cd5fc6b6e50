import { PinbenchError } from '../errors.ts';
import { describeWei, GWEI, totalScheduledEmissionWei, WEI_PER_TOKEN } from './emission.ts';
import { EMISSION_KINDS, FLAG_PENALTIES, type RewardPolicy } from './types.ts';

/** 10^9 tokens. */
export const DEFAULT_MAX_SUPPLY_WEI = 10n ** 9n * WEI_PER_TOKEN;
/**
 * The contract accrues pro-rata rewards in gwei in 63-bit fields: a supply above (2^63 − 1) gwei
 * (≈ 9.2e9 tokens) could overflow one device's field, so maxSupplyWei may not exceed it.
 */
export const ACCRUAL_LIMIT_WEI = ((1n << 63n) - 1n) * GWEI;
const UINT32_LIMIT = 1n << 32n;
/** A device's units travel in a 40-bit lane (core/reward-rule.ts). */
const LANE_LIMIT = 1n << 40n;
/** As core/reward-rule.ts bounds rewardPerUnitWei. */
const RATE_LIMIT = 1n << 128n;
export const MAX_H3_RESOLUTION = 15;
export const BPS = 10_000;

/** Today's rule as a policy: a rate, no coverage, cap, minimum or stake, flags per reading. */
export function defaultPolicy(params: { unitsPerSample: bigint; maxStepE7: bigint; rewardPerUnitWei: bigint }): RewardPolicy {
  return {
    emission: { kind: 'rate', rewardPerUnitWei: params.rewardPerUnitWei },
    unitsPerSample: params.unitsPerSample,
    maxStepE7: params.maxStepE7,
    flagPenalty: 'reading',
    maxSupplyWei: DEFAULT_MAX_SUPPLY_WEI,
  };
}

export interface PolicyProblem {
  /** Where, as a path inside the policy: ['emission', 'perEpochWei']. */
  readonly path: readonly string[];
  /** What is wrong and what to do, without the path. */
  readonly message: string;
}

/** What the policy is checked against beyond itself: the scenario's epochs and readings per device. */
export interface PolicyContext {
  /** Epochs the run lasts; the scheduled emission over them must fit maxSupplyWei. */
  readonly epochs?: number;
  /** K: no more readings than this count per device-epoch, so minSamples above it pays nobody. */
  readonly readingsPerDevice?: number;
  /** Devices a stake policy bonds: their stakes are minted at genesis and count toward maxSupplyWei. */
  readonly devices?: number;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isBig = (v: unknown): v is bigint => typeof v === 'bigint';

/** Every problem of the policy, in the order of its fields; empty when it is valid. */
export function policyProblems(policy: RewardPolicy, context: PolicyContext = {}): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const add = (path: string[], message: string) => problems.push({ path, message });
  const bigIn = (path: string[], v: unknown, min: bigint, limit: bigint, what: string) => {
    if (!isBig(v) || v < min || v >= limit) add(path, `expected ${what}, got ${String(v)}`);
  };
  const intIn = (path: string[], v: unknown, min: number, max: number, what: string) => {
    if (!isInt(v) || v < min || v > max) add(path, `expected ${what}, got ${String(v)}`);
  };
  const wholeGwei = (path: string[], v: unknown) => {
    if (!isBig(v) || v <= 0n) add(path, `expected a positive whole number of wei, got ${String(v)}`);
    else if (v % GWEI !== 0n) add(path, `expected a whole number of gwei (a multiple of 1000000000 wei: the contract accrues pro-rata rewards in gwei), got ${v} wei; use ${(v / GWEI) * GWEI} or ${(v / GWEI + 1n) * GWEI}`);
  };

  const { emission } = policy;
  if (!EMISSION_KINDS.includes(emission?.kind)) {
    add(['emission', 'kind'], `expected one of: ${EMISSION_KINDS.join(', ')}, got ${String(emission?.kind)}`);
  } else if (emission.kind === 'rate') {
    bigIn(['emission', 'rewardPerUnitWei'], emission.rewardPerUnitWei, 0n, RATE_LIMIT, 'a whole number of wei in [0, 2^128)');
  } else if (emission.kind === 'constant') {
    wholeGwei(['emission', 'perEpochWei'], emission.perEpochWei);
  } else {
    wholeGwei(['emission', 'initialWei'], emission.initialWei);
    if (emission.kind === 'halving') intIn(['emission', 'everyEpochs'], emission.everyEpochs, 1, Number.MAX_SAFE_INTEGER, 'a positive whole number of epochs');
    if (emission.kind === 'decay') {
      const d = emission.yearlyDecay;
      if (typeof d !== 'number' || !Number.isFinite(d) || d < 0 || d >= 1) add(['emission', 'yearlyDecay'], `expected a fraction in [0, 1) (0.2 = a fifth less each year), got ${String(d)}`);
      intIn(['emission', 'epochsPerYear'], emission.epochsPerYear, 1, 31_536_000, 'a whole number of epochs per year in [1, 31536000]');
    }
  }
  bigIn(['unitsPerSample'], policy.unitsPerSample, 0n, UINT32_LIMIT, 'a whole number in [0, 4294967295] (the circuit range-checks it to 32 bits)');
  bigIn(['maxStepE7'], policy.maxStepE7, 0n, UINT32_LIMIT, 'a whole number in [0, 4294967295] (the circuit range-checks it to 32 bits)');
  if (policy.coverage !== undefined) {
    const c = policy.coverage;
    intIn(['coverage', 'resolution'], c.resolution, 0, MAX_H3_RESOLUTION, `an h3 resolution, a whole number in [0, ${MAX_H3_RESOLUTION}]`);
    bigIn(['coverage', 'unitsPerCell'], c.unitsPerCell, 1n, UINT32_LIMIT, 'a positive whole number of units below 2^32');
    intIn(['coverage', 'densityTarget'], c.densityTarget, 1, 1_000_000, 'a positive whole number of devices per cell, at most 1000000');
  }
  if (policy.capUnits !== undefined) bigIn(['capUnits'], policy.capUnits, 1n, LANE_LIMIT, 'a positive whole number of units below 2^40 (a device\'s units travel in 40 bits)');
  if (policy.minSamples !== undefined) {
    const k = context.readingsPerDevice ?? 15;
    const why = context.readingsPerDevice === undefined ? 'the circuit takes at most 15' : 'circuit.readingsPerDevice';
    intIn(['minSamples'], policy.minSamples, 1, k, `a whole number of readings in [1, ${k}] (a device-epoch counts at most ${k} readings: ${why})`);
  }
  if (!FLAG_PENALTIES.includes(policy.flagPenalty)) add(['flagPenalty'], `expected one of: ${FLAG_PENALTIES.join(', ')}, got ${String(policy.flagPenalty)}`);
  if (policy.stake !== undefined) {
    bigIn(['stake', 'perDeviceWei'], policy.stake.perDeviceWei, 1n, RATE_LIMIT, 'a positive whole number of wei below 2^128');
    intIn(['stake', 'slashBps'], policy.stake.slashBps, 0, BPS, `basis points of the stake left, a whole number in [0, ${BPS}]`);
  }
  if (!isBig(policy.maxSupplyWei) || policy.maxSupplyWei <= 0n || policy.maxSupplyWei > ACCRUAL_LIMIT_WEI) {
    add(['maxSupplyWei'], `expected a positive whole number of wei of at most ${ACCRUAL_LIMIT_WEI} ((2^63 − 1) gwei, what one device's 63-bit accrual field holds), got ${String(policy.maxSupplyWei)}`);
  } else if (problems.length === 0 && (context.epochs !== undefined || context.devices !== undefined)) {
    const supply = supplyProblem(policy, context.epochs ?? 0, context.devices ?? 0);
    if (supply !== undefined) problems.push(supply);
  }
  return problems;
}

function supplyProblem(policy: RewardPolicy, epochs: number, devices: number): PolicyProblem | undefined {
  const emitted = totalScheduledEmissionWei(policy.emission, epochs);
  const staked = policy.stake === undefined ? 0n : policy.stake.perDeviceWei * BigInt(devices);
  const max = `maxSupplyWei ${describeWei(policy.maxSupplyWei)}`;
  if (staked > 0n && staked + (emitted ?? 0n) > policy.maxSupplyWei) {
    const schedule = emitted === undefined ? '' : `, plus ${describeWei(emitted)} scheduled over ${epochs} epochs`;
    return {
      path: ['stake', 'perDeviceWei'],
      message: `${devices} devices × ${policy.stake!.perDeviceWei} wei bonded at genesis = ${describeWei(staked)}${schedule}, which exceeds ${max}; lower stake.perDeviceWei or the fleet, or raise maxSupplyWei`,
    };
  }
  if (emitted === undefined || emitted <= policy.maxSupplyWei) return undefined;
  const { emission } = policy;
  if (emission.kind === 'constant') {
    return { path: ['emission'], message: `${epochs} epochs × ${emission.perEpochWei} wei = ${describeWei(emitted)} exceeds ${max}; lower emission.perEpochWei, the epochs, or raise maxSupplyWei` };
  }
  const initialWei = emission.kind === 'rate' ? 0n : emission.initialWei;
  return { path: ['emission'], message: `the ${emission.kind} schedule from ${initialWei} wei over ${epochs} epochs totals ${describeWei(emitted)}, which exceeds ${max}; lower emission.initialWei, the epochs, or raise maxSupplyWei` };
}

/** The problems as one line each: `emission.perEpochWei: expected …`. */
export function formatPolicyProblems(problems: readonly PolicyProblem[], prefix = 'policy'): string[] {
  return problems.map((p) => `${[prefix, ...p.path].filter((s) => s !== '').join('.')}: ${p.message}`);
}

/** Throws POLICY_INVALID naming every bad parameter (one line each), or returns the policy. */
export function validatePolicy(policy: RewardPolicy, context: PolicyContext = {}): RewardPolicy {
  const problems = policyProblems(policy, context);
  if (problems.length > 0) {
    const lines = formatPolicyProblems(problems);
    throw new PinbenchError('POLICY_INVALID', lines.join('\n'), { details: { issues: lines } });
  }
  return policy;
}
