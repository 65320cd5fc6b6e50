/**
 * The reward rule, written once: circuits/batch.circom mirrors it constraint by constraint, and
 * sim/ uses these functions for expected payouts, so the chain pays exactly what this file
 * computes (docs/architecture.md, "Rooms"). Chosen to make a device-epoch cheap to prove and to
 * settle (docs/proofs-and-settlement.md):
 * - fixed assignment: batch `b` covers registry indices b·B+1 … b·B+B, so no device index is
 *   a public signal and a device cannot appear in two batches of one epoch;
 * - each reading carries a committed `flagged` bit: a flagged reading earns nothing and breaks
 *   the step chain around it (the epoch summary's findings are enforced by the circuit);
 * - a step counts only between two consecutive present, unflagged readings, and such a step
 *   must have |Δlat|, |Δlon| < 2^20 (1e-7 degree, about 11 km); a larger jump must be flagged,
 *   otherwise no proof exists (`flagLargeJumps` does it).
 */
import {
  poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6, poseidon7, poseidon8,
  poseidon9, poseidon10, poseidon11, poseidon12, poseidon13, poseidon14, poseidon15, poseidon16,
} from 'poseidon-lite';
import { PinbenchError } from './errors.ts';

export interface WorkReading {
  /** Latitude ×1e7, signed. */
  latE7: number;
  /** Longitude ×1e7, signed. */
  lonE7: number;
  /** Unix seconds, uint32 and not 0. */
  timestampS: number;
  /** Set by the epoch summary (e.g. impossible speed, teleport): the reading earns nothing. */
  flagged?: boolean;
}

export interface RuleParams {
  /** Units credited per counted reading; < 2^32 (range-checked in the circuit). */
  unitsPerSample: bigint;
  /** Cap on one step's Manhattan distance, in 1e-7 degree; < 2^32. */
  maxStepE7: bigint;
  /** Wei paid per unit; applied by the contract, not the circuit. */
  rewardPerUnitWei: bigint;
}

/** Build parameters of the batch circuit: B devices per proof, K counted readings per device. */
export interface CircuitShape {
  /** Devices per proof (B); a multiple of 4 so a batch fills whole accrual words on chain. */
  batchSize: number;
  /** Readings per device (K), 1..15 (units < 2^36, see circuits/README.md). */
  readingsPerDevice: number;
}

/** B = 32, K = 4: ≤ 15,000 gas per device-epoch and fits powers of tau 2^15 (docs/proofs-and-settlement.md). */
export const DEFAULT_SHAPE: Readonly<CircuitShape> = Object.freeze({ batchSize: 32, readingsPerDevice: 4 });
/** B = 4, K = 8: fits 2^13 (a local ptau in about 2.5 minutes), for tests, CI and small scenarios. */
export const SMALL_SHAPE: Readonly<CircuitShape> = Object.freeze({ batchSize: 4, readingsPerDevice: 8 });

export const LAT_OFFSET_E7 = 900_000_000;
export const LON_OFFSET_E7 = 1_800_000_000;
const UINT32_MAX = 2 ** 32 - 1;
const UINT32_LIMIT = 1n << 32n;
/** rewardPerUnitWei bound: units < 2^40, so units · reward stays far below 2^256 on chain. */
const REWARD_PER_UNIT_LIMIT = 1n << 128n;
const MAX_K = 15;

/** Per-coordinate bound of a counted step (exclusive). */
export const MAX_STEP_DELTA_E7 = 1 << 20;
/** Width of one device's units inside a public lane; units < 2^36 < 2^40. */
export const LANE_BITS = 40;
export const UNITS_PER_LANE = 6;

const POSEIDON = [
  poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6, poseidon7, poseidon8,
  poseidon9, poseidon10, poseidon11, poseidon12, poseidon13, poseidon14, poseidon15, poseidon16,
];
/** circomlib's Poseidon and poseidon-lite both stop at 16 inputs. */
export const MAX_POSEIDON_INPUTS = POSEIDON.length;

export function validateShape(shape: CircuitShape): void {
  const { batchSize: b, readingsPerDevice: k } = shape;
  if (!Number.isInteger(b) || b < 4 || b % 4 !== 0 || b > 1024) {
    throw new PinbenchError('RULE_INVALID_SHAPE', `batchSize: expected a multiple of 4 in [4, 1024], got ${String(b)}; use e.g. ${DEFAULT_SHAPE.batchSize}`);
  }
  validateK(k);
}

function validateK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new PinbenchError('RULE_INVALID_SHAPE', `readingsPerDevice: expected an integer in [1, ${MAX_K}] (units must stay below 2^36), got ${String(k)}; use e.g. ${DEFAULT_SHAPE.readingsPerDevice}`);
  }
}

export function validateReading(r: WorkReading, where = 'reading'): void {
  if (!Number.isInteger(r.latE7) || Math.abs(r.latE7) > LAT_OFFSET_E7) {
    throw new PinbenchError('RULE_INVALID_READING', `${where}.latE7: expected an integer latitude ×1e7 in [-900000000, 900000000], got ${String(r.latE7)}; drop the reading or fix its decoding`, { details: { reading: r } });
  }
  if (!Number.isInteger(r.lonE7) || Math.abs(r.lonE7) > LON_OFFSET_E7) {
    throw new PinbenchError('RULE_INVALID_READING', `${where}.lonE7: expected an integer longitude ×1e7 in [-1800000000, 1800000000], got ${String(r.lonE7)}; drop the reading or fix its decoding`, { details: { reading: r } });
  }
  // 0 is excluded because a zero timestamp is the circuit's marker of an absent reading.
  if (!Number.isInteger(r.timestampS) || r.timestampS < 1 || r.timestampS > UINT32_MAX) {
    throw new PinbenchError('RULE_INVALID_READING', `${where}.timestampS: expected unix seconds in [1, 4294967295], got ${String(r.timestampS)}; drop the reading or fix the device clock`, { details: { reading: r } });
  }
}

export function validateRuleParams(params: RuleParams): void {
  for (const name of ['unitsPerSample', 'maxStepE7'] as const) {
    const v = params[name];
    if (typeof v !== 'bigint' || v < 0n || v >= UINT32_LIMIT) {
      throw new PinbenchError('RULE_INVALID_PARAMS', `${name}: expected a bigint in [0, 4294967295] (the circuit range-checks it to 32 bits), got ${String(v)}; choose a smaller value`, { details: { [name]: String(v) } });
    }
  }
  const w = params.rewardPerUnitWei;
  if (typeof w !== 'bigint' || w < 0n || w >= REWARD_PER_UNIT_LIMIT) {
    throw new PinbenchError('RULE_INVALID_PARAMS', `rewardPerUnitWei: expected a bigint in [0, 2^128), got ${String(w)}; choose a smaller value`, { details: { rewardPerUnitWei: String(w) } });
  }
}

/** Latitude as the circuit sees it: latE7 + 9e8, in [0, 1.8e9]. */
export function circuitLat(latE7: number): bigint {
  return BigInt(latE7 + LAT_OFFSET_E7);
}

/** Longitude as the circuit sees it: lonE7 + 1.8e9, in [0, 3.6e9]. */
export function circuitLon(lonE7: number): bigint {
  return BigInt(lonE7 + LON_OFFSET_E7);
}

/**
 * The readings of one device that count in an epoch: sorted by timestamp and capped at K.
 * Ties on timestamp are broken by latitude then longitude so the selection (and therefore the
 * committed leaf) does not depend on arrival order.
 */
export function selectEpochReadings(readings: readonly WorkReading[], k: number): WorkReading[] {
  validateK(k);
  readings.forEach((r, i) => validateReading(r, `readings[${i}]`));
  return [...readings]
    .sort((a, b) => a.timestampS - b.timestampS || a.latE7 - b.latE7 || a.lonE7 - b.lonE7)
    .slice(0, k);
}

/** Number of public lanes: ceil(B / 6). */
export function laneCount(batchSize: number): number {
  return Math.ceil(batchSize / UNITS_PER_LANE);
}

/** Registry indexes covered by batch `batch`: batch·B + 1 … batch·B + B. */
export function batchDeviceIndexes(batch: number, batchSize: number): number[] {
  return Array.from({ length: batchSize }, (_, d) => batch * batchSize + d + 1);
}

/** The batch that covers registry index `deviceIndex` (≥ 1). */
export function batchOfDevice(deviceIndex: number, batchSize: number): number {
  if (!Number.isSafeInteger(deviceIndex) || deviceIndex < 1) {
    throw new PinbenchError('RULE_INVALID_DEVICE_INDEX', `deviceIndex: expected a registry index ≥ 1, got ${String(deviceIndex)}; registry indexes start at 1`);
  }
  return Math.floor((deviceIndex - 1) / batchSize);
}

/** Poseidon over any number of inputs: one Poseidon(≤16), then Poseidon(h, next ≤15) per chunk. */
export function poseidonChain(inputs: readonly bigint[]): bigint {
  if (inputs.length < 1) throw new PinbenchError('RULE_INVALID_HASH', 'poseidonChain: expected at least one input');
  let h = POSEIDON[Math.min(inputs.length, MAX_POSEIDON_INPUTS) - 1]!(inputs.slice(0, MAX_POSEIDON_INPUTS));
  for (let pos = MAX_POSEIDON_INPUTS; pos < inputs.length; pos += MAX_POSEIDON_INPUTS - 1) {
    const chunk = inputs.slice(pos, pos + MAX_POSEIDON_INPUTS - 1);
    h = POSEIDON[chunk.length]!([h, ...chunk]);
  }
  return h;
}

/**
 * The per-device part of a reward policy (core/reward-policy/rewards.ts, steps 2–5) that the
 * circuit enforces: a device's paid units are 0 when `epochPenalty` and any of its readings is
 * flagged, or when fewer than `minSamples` readings count; else min(units + coverage, capUnits).
 * Every field's zero value switches it off, so today's rule (NO_CIRCUIT_POLICY) keeps today's
 * header, leaves and lanes.
 */
export interface CircuitPolicy {
  /** Cap on a device-epoch's units, < 2^40; 0 = no cap. */
  readonly capUnits: bigint;
  /** Counted readings a device-epoch needs to earn, 0..15; 0 = none. */
  readonly minSamples: number;
  /** Any flagged reading zeroes the device-epoch (else a flagged reading only earns nothing itself). */
  readonly epochPenalty: boolean;
}

export const NO_CIRCUIT_POLICY: Readonly<CircuitPolicy> = Object.freeze({ capUnits: 0n, minSamples: 0, epochPenalty: false });
/** A device-epoch's coverage units (committed beside its flags in the leaf) are below 2^36. */
export const COVERAGE_LIMIT = 1n << 36n;
const CAP_LIMIT = 1n << 40n;

export function validateCircuitPolicy(policy: CircuitPolicy): void {
  if (typeof policy.capUnits !== 'bigint' || policy.capUnits < 0n || policy.capUnits >= CAP_LIMIT) {
    throw new PinbenchError('RULE_INVALID_PARAMS', `capUnits: expected a bigint in [0, 2^40) (0 = no cap; the circuit range-checks it to 40 bits), got ${String(policy.capUnits)}`);
  }
  if (!Number.isInteger(policy.minSamples) || policy.minSamples < 0 || policy.minSamples > MAX_K) {
    throw new PinbenchError('RULE_INVALID_PARAMS', `minSamples: expected an integer in [0, ${MAX_K}] (0 = none), got ${String(policy.minSamples)}`);
  }
  if (typeof policy.epochPenalty !== 'boolean') {
    throw new PinbenchError('RULE_INVALID_PARAMS', `epochPenalty: expected true or false, got ${String(policy.epochPenalty)}`);
  }
}

function validateCoverage(coverageUnits: bigint): void {
  if (typeof coverageUnits !== 'bigint' || coverageUnits < 0n || coverageUnits >= COVERAGE_LIMIT) {
    throw new PinbenchError('RULE_INVALID_UNITS', `coverageUnits: expected a bigint in [0, 2^36) (the circuit range-checks it to 36 bits), got ${String(coverageUnits)}; lower coverage.unitsPerCell`);
  }
}

/**
 * What the circuit puts in a device's lane under a policy, from the device's selected readings
 * (with flags), its units by workUnits, and its coverage units.
 */
export function policyUnits(selected: readonly WorkReading[], units: bigint, coverageUnits: bigint, policy: CircuitPolicy): bigint {
  validateCircuitPolicy(policy);
  validateCoverage(coverageUnits);
  const flagged = selected.filter((r) => r.flagged).length;
  const counted = selected.length - flagged;
  if (policy.epochPenalty && flagged > 0) return 0n;
  if (counted < policy.minSamples) return 0n;
  const raw = units + coverageUnits;
  return policy.capUnits !== 0n && raw > policy.capUnits ? policy.capUnits : raw;
}

/**
 * header = epoch + batch·2^32 + unitsPerSample·2^64 + maxStepE7·2^96 (each part < 2^32)
 *        + capUnits·2^128 (< 2^40) + minSamples·2^168 (< 2^4) + epochPenalty·2^172.
 */
export function encodeHeader(epoch: number, batch: number, params: Pick<RuleParams, 'unitsPerSample' | 'maxStepE7'>, policy: CircuitPolicy = NO_CIRCUIT_POLICY): bigint {
  for (const [name, v] of [['epoch', epoch], ['batch', batch]] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || BigInt(v) >= UINT32_LIMIT) {
      throw new PinbenchError('RULE_INVALID_BATCH', `${name}: expected an integer in [0, 4294967295] (it is packed into 32 bits of the header), got ${String(v)}`);
    }
  }
  for (const name of ['unitsPerSample', 'maxStepE7'] as const) {
    const v = params[name];
    if (typeof v !== 'bigint' || v < 0n || v >= UINT32_LIMIT) {
      throw new PinbenchError('RULE_INVALID_PARAMS', `${name}: expected a bigint in [0, 4294967295], got ${String(v)}; choose a smaller value`);
    }
  }
  validateCircuitPolicy(policy);
  return BigInt(epoch) + (BigInt(batch) << 32n) + (params.unitsPerSample << 64n) + (params.maxStepE7 << 96n)
    + (policy.capUnits << 128n) + (BigInt(policy.minSamples) << 168n) + ((policy.epochPenalty ? 1n : 0n) << 172n);
}

export function decodeHeader(header: bigint): { epoch: number; batch: number; unitsPerSample: bigint; maxStepE7: bigint } & CircuitPolicy {
  const mask = UINT32_LIMIT - 1n;
  return {
    epoch: Number(header & mask),
    batch: Number((header >> 32n) & mask),
    unitsPerSample: (header >> 64n) & mask,
    maxStepE7: (header >> 96n) & mask,
    capUnits: (header >> 128n) & (CAP_LIMIT - 1n),
    minSamples: Number((header >> 168n) & 15n),
    epochPenalty: ((header >> 172n) & 1n) === 1n,
  };
}


function jumpTooLarge(a: WorkReading, b: WorkReading): boolean {
  return Math.abs(b.latE7 - a.latE7) >= MAX_STEP_DELTA_E7 || Math.abs(b.lonE7 - a.lonE7) >= MAX_STEP_DELTA_E7;
}

/**
 * Returns the selected readings (copies) with the later reading of every counted step that
 * jumps ≥ 2^20 in latitude or longitude flagged, so that a proof exists. Use it after the epoch
 * summary's own flags are set.
 */
export function flagLargeJumps(readings: readonly WorkReading[], k: number): WorkReading[] {
  const selected = selectEpochReadings(readings, k).map((r) => ({ ...r }));
  for (let i = 1; i < selected.length; i++) {
    const prev = selected[i - 1]!;
    const cur = selected[i]!;
    if (!prev.flagged && !cur.flagged && jumpTooLarge(prev, cur)) cur.flagged = true;
  }
  return selected;
}

/**
 * units = (#present unflagged)·unitsPerSample + Σ min(|ΔlatU| + |ΔlonU|, maxStepE7) over steps
 * between consecutive readings that are both unflagged. Throws when such a step jumps ≥ 2^20.
 */
export function workUnits(readings: readonly WorkReading[], params: RuleParams, k: number): bigint {
  validateRuleParams(params);
  const selected = selectEpochReadings(readings, k);
  let units = 0n;
  for (let i = 0; i < selected.length; i++) {
    const cur = selected[i]!;
    if (cur.flagged) continue;
    units += params.unitsPerSample;
    const prev = selected[i - 1];
    if (prev === undefined || prev.flagged) continue;
    if (jumpTooLarge(prev, cur)) {
      throw new PinbenchError('RULE_UNFLAGGED_JUMP', `readings at ${prev.timestampS} and ${cur.timestampS} are ${Math.abs(cur.latE7 - prev.latE7)} / ${Math.abs(cur.lonE7 - prev.lonE7)} apart (1e-7 degree), at least 2^20: flag the later reading (flagLargeJumps) or the circuit has no proof`, { details: { prev, cur } });
    }
    const dLat = circuitLat(cur.latE7) - circuitLat(prev.latE7);
    const dLon = circuitLon(cur.lonE7) - circuitLon(prev.lonE7);
    const dist = (dLat < 0n ? -dLat : dLat) + (dLon < 0n ? -dLon : dLon);
    units += dist < params.maxStepE7 ? dist : params.maxStepE7;
  }
  return units;
}

/** Σ flagged_i · 2^i over the K reading slots. */
export function flagsPacked(selected: readonly WorkReading[]): bigint {
  return selected.reduce((acc, r, i) => (r.flagged ? acc | (1n << BigInt(i)) : acc), 0n);
}

/**
 * leaf = poseidonChain(deviceIndex, flagsPacked + coverageUnits·2^16, latU_0, lonU_0, ts_0, …,
 * latU_{K-1}, lonU_{K-1}, ts_{K-1}), absent readings as (0, 0, 0). flagsPacked < 2^15, so the
 * second input names both; without coverage it is today's leaf.
 */
export function deviceLeafHash(deviceIndex: number, readings: readonly WorkReading[], k: number, coverageUnits = 0n): bigint {
  validateCoverage(coverageUnits);
  const selected = selectEpochReadings(readings, k);
  const values: bigint[] = [BigInt(deviceIndex), flagsPacked(selected) + (coverageUnits << 16n)];
  for (let i = 0; i < k; i++) {
    const r = selected[i];
    values.push(r ? circuitLat(r.latE7) : 0n, r ? circuitLon(r.lonE7) : 0n, r ? BigInt(r.timestampS) : 0n);
  }
  return poseidonChain(values);
}

/** commitment = poseidonChain(header, leaf_0 … leaf_{B-1}). */
export function batchCommitment(header: bigint, leaves: readonly bigint[]): bigint {
  return poseidonChain([header, ...leaves]);
}

/** Bit of slot j's flag in its lane: above the six 40-bit units (core/reward-policy stake slashes by it). */
export const LANE_FLAG_BIT = UNITS_PER_LANE * LANE_BITS;

/**
 * Packs per-device units (length B) into ceil(B/6) lanes of 6 × 40 bits, and, above bit 240,
 * one bit per slot: the device had a flagged reading among its K (what a stake slashes).
 */
export function packLanes(units: readonly bigint[], flagged: readonly boolean[] = []): bigint[] {
  if (flagged.length > units.length) {
    throw new PinbenchError('RULE_INVALID_UNITS', `flagged: ${flagged.length} flags for ${units.length} slots; give one flag per slot at most`);
  }
  const lanes: bigint[] = [];
  units.forEach((u, j) => {
    if (u < 0n || u >= 1n << BigInt(LANE_BITS)) {
      throw new PinbenchError('RULE_INVALID_UNITS', `units[${j}]: expected a bigint in [0, 2^40), got ${u}`);
    }
    const l = Math.floor(j / UNITS_PER_LANE);
    const flag = flagged[j] === true ? 1n << BigInt(LANE_FLAG_BIT + (j % UNITS_PER_LANE)) : 0n;
    lanes[l] = (lanes[l] ?? 0n) + (u << BigInt(LANE_BITS * (j % UNITS_PER_LANE))) + flag;
  });
  return lanes;
}

export function unpackLanes(lanes: readonly bigint[], batchSize: number): bigint[] {
  const mask = (1n << BigInt(LANE_BITS)) - 1n;
  return Array.from({ length: batchSize }, (_, j) =>
    ((lanes[Math.floor(j / UNITS_PER_LANE)] ?? 0n) >> BigInt(LANE_BITS * (j % UNITS_PER_LANE))) & mask);
}

/** Each slot's flag bit (packLanes' `flagged`). */
export function unpackLaneFlags(lanes: readonly bigint[], batchSize: number): boolean[] {
  return Array.from({ length: batchSize }, (_, j) =>
    (((lanes[Math.floor(j / UNITS_PER_LANE)] ?? 0n) >> BigInt(LANE_FLAG_BIT + (j % UNITS_PER_LANE))) & 1n) === 1n);
}

export function rewardWei(units: bigint, params: RuleParams): bigint {
  validateRuleParams(params);
  if (units < 0n) {
    throw new PinbenchError('RULE_INVALID_UNITS', `units: expected a non-negative bigint, got ${units}; compute units with workUnits`);
  }
  return units * params.rewardPerUnitWei;
}

/** One device's paid work of one epoch, by the rule: what a proof batch commits to and the chain accrues. */
export interface DeviceEpochWork {
  deviceIndex: number;
  /** Accepted readings of the epoch that count (the first `readingsPerDevice` by time), each with its flag. */
  readings: WorkReading[];
  /** Paid units: the rule's, then the reward policy's (core/reward-policy/), as the device's lane carries them. */
  units: bigint;
  rewardWei: bigint;
  /** The policy's coverage units, committed in the leaf (absent: 0). */
  coverageUnits?: bigint;
}
