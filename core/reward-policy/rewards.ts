import { PinbenchError } from '../errors.ts';
import { selectEpochReadings, workUnits, type WorkReading } from '../reward-rule.ts';
import { GWEI, scheduledEmissionWei } from './emission.ts';
import { BPS } from './policy.ts';
import type { CoveragePolicy, DeviceEpochFacts, RewardPolicy } from './types.ts';

/**
 * The policy's rule for one epoch. Per device i, in this order:
 *  1. base_i     = unitsPerSample · countedSamples_i + stepUnits_i          (core/reward-rule.ts's workUnits)
 *  2. coverage_i = Σ over the DISTINCT cells c of device i of cellUnits(n_c), n_c = how many devices
 *                  of the epoch list c (every device given, flagged or not: occupancy is an input fact);
 *                  cellUnits(n) = unitsPerCell if n ≤ densityTarget, else floor(unitsPerCell · densityTarget / n)
 *     u_i        = base_i + coverage_i
 *  3. flag penalty 'epoch': flaggedReadings_i > 0 ⇒ u_i = 0   ('reading': flagged readings already earn nothing in 1.)
 *  4. minimum activity:     countedSamples_i < minSamples ⇒ u_i = 0
 *  5. cap:                  u_i = min(u_i, capUnits)
 *  (3–5 commute with one another; only 2 before 5 matters: the cap includes coverage.)
 * Then T_e = Σ u_i over every device given, and
 *  - rate:     reward_i = u_i · rewardPerUnitWei; E_e := Σ reward_i, dust 0 (nothing scheduled);
 *  - pro rata: E_e = scheduledEmissionWei(e) (whole gwei), G = E_e / 1e9,
 *              reward_i = floor(u_i · G / T_e) · 1e9   (gwei, rounded down once per device),
 *              T_e = 0 ⇒ every reward 0; dust = E_e − Σ reward_i, not minted.
 * Stake: a device-epoch is flagged when flaggedReadings_i > 0 (whatever the penalty); it slashes
 *  floor(stakeLeft_i · slashBps / 10000) and stakeLeft_i decreases by that. Stake does not change rewards.
 */

export interface DeviceReward {
  readonly deviceIndex: number;
  /** Step 1. */
  readonly baseUnits: bigint;
  /** Step 2 (0 without coverage). */
  readonly coverageUnits: bigint;
  /** After steps 3–5: what the device's lane carries and T_e sums. */
  readonly units: bigint;
  readonly rewardWei: bigint;
  readonly flagged: boolean;
  readonly slashedWei: bigint;
  /** Stake left after this epoch's slash; undefined without stake. */
  readonly stakeLeftWei?: bigint;
}

export interface EpochRewards {
  readonly epoch: number;
  /** T_e. */
  readonly totalUnits: bigint;
  /** E_e: the schedule's amount, or Σ rewards for a rate. */
  readonly emissionWei: bigint;
  readonly paidWei: bigint;
  /** E_e − paid: unminted. */
  readonly dustWei: bigint;
  readonly slashedWei: bigint;
  /** By deviceIndex, ascending. */
  readonly devices: readonly DeviceReward[];
}

/** What one flagged device-epoch slashes of a stake left: floor(left · slashBps / 10000) (Settlement.sol's _slash). */
export function slashOf(stakeLeftWei: bigint, slashBps: number): bigint {
  return (stakeLeftWei * BigInt(slashBps)) / BigInt(BPS);
}

function factsError(where: string, message: string): PinbenchError {
  return new PinbenchError('POLICY_FACTS_INVALID', `${where}: ${message}`);
}

function validateFacts(facts: readonly DeviceEpochFacts[]): void {
  const seen = new Set<number>();
  facts.forEach((f, i) => {
    const where = `devices[${i}]`;
    if (!Number.isSafeInteger(f.deviceIndex) || f.deviceIndex < 1) throw factsError(`${where}.deviceIndex`, `expected a registry index ≥ 1, got ${String(f.deviceIndex)}`);
    if (seen.has(f.deviceIndex)) throw factsError(`${where}.deviceIndex`, `device ${f.deviceIndex} is given twice in one epoch; give each device's facts once`);
    seen.add(f.deviceIndex);
    for (const name of ['countedSamples', 'flaggedReadings'] as const) {
      if (!Number.isSafeInteger(f[name]) || f[name] < 0) throw factsError(`${where}.${name}`, `expected a whole number ≥ 0, got ${String(f[name])}`);
    }
    if (typeof f.stepUnits !== 'bigint' || f.stepUnits < 0n) throw factsError(`${where}.stepUnits`, `expected a bigint ≥ 0, got ${String(f.stepUnits)}`);
    if (!Array.isArray(f.cells) || f.cells.some((c) => typeof c !== 'string')) throw factsError(`${where}.cells`, 'expected a list of h3 cell ids (strings)');
  });
}

/** cellUnits(n) of the policy's coverage (step 2). */
export function cellUnits(coverage: CoveragePolicy, devicesInCell: number): bigint {
  if (devicesInCell <= coverage.densityTarget) return coverage.unitsPerCell;
  return (coverage.unitsPerCell * BigInt(coverage.densityTarget)) / BigInt(devicesInCell);
}

/** n_c for every cell any device of the epoch lists (each device counted once per cell). */
export function cellOccupancy(facts: readonly DeviceEpochFacts[]): Map<string, number> {
  const occupancy = new Map<string, number>();
  for (const f of facts) for (const cell of new Set(f.cells)) occupancy.set(cell, (occupancy.get(cell) ?? 0) + 1);
  return occupancy;
}

/** Steps 1–5 for one device, given the epoch's occupancy. */
export function deviceUnits(policy: RewardPolicy, f: DeviceEpochFacts, occupancy: ReadonlyMap<string, number>): { baseUnits: bigint; coverageUnits: bigint; units: bigint } {
  const baseUnits = policy.unitsPerSample * BigInt(f.countedSamples) + f.stepUnits;
  let coverageUnits = 0n;
  if (policy.coverage !== undefined) {
    for (const cell of new Set(f.cells)) coverageUnits += cellUnits(policy.coverage, occupancy.get(cell)!);
  }
  let units = baseUnits + coverageUnits;
  if (policy.flagPenalty === 'epoch' && f.flaggedReadings > 0) units = 0n;
  if (policy.minSamples !== undefined && f.countedSamples < policy.minSamples) units = 0n;
  if (policy.capUnits !== undefined && units > policy.capUnits) units = policy.capUnits;
  return { baseUnits, coverageUnits, units };
}

/**
 * One epoch's rewards for every device of it. `stakeLeft` (deviceIndex → wei) is the stake carried
 * from earlier epochs; a device not in it starts with stake.perDeviceWei. It is not modified.
 */
export function epochRewards(
  policy: RewardPolicy,
  epoch: number,
  facts: readonly DeviceEpochFacts[],
  stakeLeft: ReadonlyMap<number, bigint> = new Map(),
): EpochRewards {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw factsError('epoch', `expected the epoch's index, a whole number ≥ 0 (0 = the run's first), got ${String(epoch)}`);
  validateFacts(facts);
  const occupancy = cellOccupancy(facts);
  const sorted = [...facts].sort((a, b) => a.deviceIndex - b.deviceIndex);
  const work = sorted.map((f) => ({ f, ...deviceUnits(policy, f, occupancy) }));
  const totalUnits = work.reduce((sum, w) => sum + w.units, 0n);

  const { emission } = policy;
  const scheduled = scheduledEmissionWei(emission, epoch);
  const emissionGwei = scheduled === undefined ? 0n : scheduled / GWEI;
  const rewardOf = (units: bigint): bigint => {
    if (emission.kind === 'rate') return units * emission.rewardPerUnitWei;
    if (totalUnits === 0n) return 0n;
    return ((units * emissionGwei) / totalUnits) * GWEI;
  };

  let paidWei = 0n;
  let slashedWei = 0n;
  const devices = work.map(({ f, baseUnits, coverageUnits, units }): DeviceReward => {
    const rewardWei = rewardOf(units);
    paidWei += rewardWei;
    const flagged = f.flaggedReadings > 0;
    if (policy.stake === undefined) return { deviceIndex: f.deviceIndex, baseUnits, coverageUnits, units, rewardWei, flagged, slashedWei: 0n };
    const before = stakeLeft.get(f.deviceIndex) ?? policy.stake.perDeviceWei;
    const slash = flagged ? slashOf(before, policy.stake.slashBps) : 0n;
    slashedWei += slash;
    return { deviceIndex: f.deviceIndex, baseUnits, coverageUnits, units, rewardWei, flagged, slashedWei: slash, stakeLeftWei: before - slash };
  });
  const emissionWei = scheduled ?? paidWei;
  return { epoch, totalUnits, emissionWei, paidWei, dustWei: emissionWei - paidWei, slashedWei, devices };
}

export interface PolicyRun {
  readonly epochs: readonly EpochRewards[];
  /** Per device over all epochs: reward and slash in wei, stake left (without stake: 0). */
  readonly devices: ReadonlyMap<number, { rewardWei: bigint; slashedWei: bigint; stakeLeftWei: bigint }>;
  readonly emittedWei: bigint;
  readonly paidWei: bigint;
  readonly dustWei: bigint;
  readonly slashedWei: bigint;
}

/** A sequence of epochs (each { epoch, devices }), stake carried from one to the next. */
export function runPolicy(policy: RewardPolicy, epochs: readonly { epoch: number; devices: readonly DeviceEpochFacts[] }[]): PolicyRun {
  const stakeLeft = new Map<number, bigint>();
  const devices = new Map<number, { rewardWei: bigint; slashedWei: bigint; stakeLeftWei: bigint }>();
  const results: EpochRewards[] = [];
  let emittedWei = 0n;
  let paidWei = 0n;
  let slashedWei = 0n;
  for (const { epoch, devices: facts } of epochs) {
    const result = epochRewards(policy, epoch, facts, stakeLeft);
    results.push(result);
    emittedWei += result.emissionWei;
    paidWei += result.paidWei;
    slashedWei += result.slashedWei;
    for (const d of result.devices) {
      if (d.stakeLeftWei !== undefined) stakeLeft.set(d.deviceIndex, d.stakeLeftWei);
      const total = devices.get(d.deviceIndex) ?? { rewardWei: 0n, slashedWei: 0n, stakeLeftWei: 0n };
      devices.set(d.deviceIndex, { rewardWei: total.rewardWei + d.rewardWei, slashedWei: total.slashedWei + d.slashedWei, stakeLeftWei: d.stakeLeftWei ?? 0n });
    }
  }
  return { epochs: results, devices, emittedWei, paidWei, dustWei: emittedWei - paidWei, slashedWei };
}

/**
 * A device-epoch's facts from its readings, by today's rule: the K readings the circuit takes
 * (selectEpochReadings), counted = unflagged among them, stepUnits = workUnits − unitsPerSample ·
 * counted (so base units equal workUnits exactly), cells = cellOf of each counted reading (the
 * caller computes h3; core does not import it).
 */
export function factsFromReadings(
  deviceIndex: number,
  readings: readonly WorkReading[],
  policy: Pick<RewardPolicy, 'unitsPerSample' | 'maxStepE7'>,
  k: number,
  cellOf?: (reading: WorkReading) => string,
): DeviceEpochFacts {
  const selected = selectEpochReadings(readings, k);
  const counted = selected.filter((r) => !r.flagged);
  const units = workUnits(readings, { unitsPerSample: policy.unitsPerSample, maxStepE7: policy.maxStepE7, rewardPerUnitWei: 0n }, k);
  return {
    deviceIndex,
    countedSamples: counted.length,
    stepUnits: units - policy.unitsPerSample * BigInt(counted.length),
    flaggedReadings: selected.length - counted.length,
    cells: cellOf === undefined ? [] : counted.map(cellOf),
  };
}
