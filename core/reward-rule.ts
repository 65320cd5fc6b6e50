/**
 * The reward rule, written once. circuits/batch.circom mirrors it constraint by constraint and
 * sim/ uses these functions for expected payouts and the fast sweep mode, so the chain pays
 * exactly what this file computes (DESIGN.md, "keep the reward rule in one place").
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
  batchSize: number;
  readingsPerDevice: number;
}

export const DEFAULT_SHAPE: Readonly<CircuitShape> = Object.freeze({ batchSize: 4, readingsPerDevice: 8 });

export const LAT_OFFSET_E7 = 900_000_000;
export const LON_OFFSET_E7 = 1_800_000_000;
const UINT32_MAX = 2 ** 32 - 1;
const TWO_32 = 1n << 32n;
const TWO_64 = 1n << 64n;
/** rewardPerUnitWei bound: units < 2^64, so units · reward stays far below 2^256 on chain. */
const REWARD_PER_UNIT_LIMIT = 1n << 128n;

const POSEIDON = [
  poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6, poseidon7, poseidon8,
  poseidon9, poseidon10, poseidon11, poseidon12, poseidon13, poseidon14, poseidon15, poseidon16,
];
/** circomlib's Poseidon and poseidon-lite both stop at 16 inputs. */
export const MAX_POSEIDON_INPUTS = POSEIDON.length;

function poseidon(inputs: bigint[]): bigint {
  return POSEIDON[inputs.length - 1]!(inputs);
}

export function validateShape(shape: CircuitShape): void {
  const { batchSize: b, readingsPerDevice: k } = shape;
  if (!Number.isInteger(b) || b < 1) {
    throw new PinbenchError('RULE_INVALID_SHAPE', `batchSize: expected a positive integer, got ${String(b)}; use e.g. ${DEFAULT_SHAPE.batchSize}`);
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new PinbenchError('RULE_INVALID_SHAPE', `readingsPerDevice: expected a positive integer, got ${String(k)}; use e.g. ${DEFAULT_SHAPE.readingsPerDevice}`);
  }
  if (k + 1 > MAX_POSEIDON_INPUTS) {
    throw new PinbenchError('RULE_SHAPE_TOO_LARGE', `readingsPerDevice ${k}: a device leaf hashes K+1 = ${k + 1} values but Poseidon takes at most ${MAX_POSEIDON_INPUTS}; lower readingsPerDevice to ${MAX_POSEIDON_INPUTS - 1} or less`, { details: { readingsPerDevice: k } });
  }
  if (b + 2 > MAX_POSEIDON_INPUTS) {
    throw new PinbenchError('RULE_SHAPE_TOO_LARGE', `batchSize ${b}: the batch commitment hashes B+2 = ${b + 2} values but Poseidon takes at most ${MAX_POSEIDON_INPUTS}; lower batchSize to ${MAX_POSEIDON_INPUTS - 2} or less`, { details: { batchSize: b } });
  }
}

export function validateReading(r: WorkReading, where = 'reading'): void {
  if (!Number.isInteger(r.latE7) || Math.abs(r.latE7) > LAT_OFFSET_E7) {
    throw new PinbenchError('RULE_INVALID_READING', `${where}.latE7: expected an integer latitude ×1e7 in [-900000000, 900000000], got ${String(r.latE7)}; drop the reading or fix its decoding`, { details: { reading: r } });
  }
  if (!Number.isInteger(r.lonE7) || Math.abs(r.lonE7) > LON_OFFSET_E7) {
    throw new PinbenchError('RULE_INVALID_READING', `${where}.lonE7: expected an integer longitude ×1e7 in [-1800000000, 1800000000], got ${String(r.lonE7)}; drop the reading or fix its decoding`, { details: { reading: r } });
  }
  // 0 is excluded so that no reading packs to 0, the circuit's marker of an empty slot.
  if (!Number.isInteger(r.timestampS) || r.timestampS < 1 || r.timestampS > UINT32_MAX) {
    throw new PinbenchError('RULE_INVALID_READING', `${where}.timestampS: expected unix seconds in [1, 4294967295], got ${String(r.timestampS)}; drop the reading or fix the device clock`, { details: { reading: r } });
  }
}

export function validateRuleParams(params: RuleParams): void {
  for (const name of ['unitsPerSample', 'maxStepE7'] as const) {
    const v = params[name];
    if (typeof v !== 'bigint' || v < 0n || v >= TWO_32) {
      throw new PinbenchError('RULE_INVALID_PARAMS', `${name}: expected a bigint in [0, 4294967295] (the circuit range-checks it to 32 bits), got ${String(v)}; choose a smaller value`, { details: { [name]: String(v) } });
    }
  }
  const w = params.rewardPerUnitWei;
  if (typeof w !== 'bigint' || w < 0n || w >= REWARD_PER_UNIT_LIMIT) {
    throw new PinbenchError('RULE_INVALID_PARAMS', `rewardPerUnitWei: expected a bigint in [0, 2^128), got ${String(w)}; choose a smaller value`, { details: { rewardPerUnitWei: String(w) } });
  }
}

export function validateDeviceIndex(deviceIndex: number, where = 'deviceIndex'): void {
  if (!Number.isInteger(deviceIndex) || deviceIndex < 0 || deviceIndex > UINT32_MAX) {
    throw new PinbenchError('RULE_INVALID_DEVICE_INDEX', `${where}: expected a uint32 in [0, 4294967295], got ${String(deviceIndex)}; use the device's registry index`, { details: { deviceIndex } });
  }
}

function validateK(k: number): void {
  validateShape({ batchSize: 1, readingsPerDevice: k });
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

function absDiff(a: bigint, b: bigint): bigint {
  return a > b ? a - b : b - a;
}

/** count·unitsPerSample + Σ min(|ΔlatU| + |ΔlonU|, maxStepE7) over the selected readings. */
export function workUnits(readings: readonly WorkReading[], params: RuleParams, k: number): bigint {
  validateRuleParams(params);
  const selected = selectEpochReadings(readings, k);
  let units = BigInt(selected.length) * params.unitsPerSample;
  for (let i = 1; i < selected.length; i++) {
    const prev = selected[i - 1]!;
    const cur = selected[i]!;
    const dist = absDiff(circuitLat(cur.latE7), circuitLat(prev.latE7)) + absDiff(circuitLon(cur.lonE7), circuitLon(prev.lonE7));
    units += dist < params.maxStepE7 ? dist : params.maxStepE7;
  }
  return units;
}

export function rewardWei(units: bigint, params: RuleParams): bigint {
  validateRuleParams(params);
  if (units < 0n) {
    throw new PinbenchError('RULE_INVALID_UNITS', `units: expected a non-negative bigint, got ${units}; compute units with workUnits`);
  }
  return units * params.rewardPerUnitWei;
}

/** latU + lonU·2^32 + timestampS·2^64: injective because each part is below 2^32. */
export function packReading(r: WorkReading): bigint {
  validateReading(r);
  return circuitLat(r.latE7) + circuitLon(r.lonE7) * TWO_32 + BigInt(r.timestampS) * TWO_64;
}

/** Poseidon(K+1)([deviceIndex, packed_0 .. packed_{K-1}]) over the selected readings, 0 for absent slots. */
export function deviceLeafHash(deviceIndex: number, readings: readonly WorkReading[], k: number): bigint {
  validateDeviceIndex(deviceIndex);
  const packed = selectEpochReadings(readings, k).map(packReading);
  while (packed.length < k) packed.push(0n);
  return poseidon([BigInt(deviceIndex), ...packed]);
}

/** The leaf of an unused batch slot. */
export function emptyLeafHash(k: number): bigint {
  return deviceLeafHash(0, [], k);
}

/**
 * Poseidon(B+2)([epoch, batch, leaf_0 .. leaf_{B-1}]). Pass exactly B leaves, or pass the shape
 * and fewer leaves to have the unused slots filled with emptyLeafHash(K).
 */
export function batchCommitment(epoch: number, batch: number, leaves: readonly bigint[], shape?: CircuitShape): bigint {
  for (const [name, v] of [['epoch', epoch], ['batch', batch]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new PinbenchError('RULE_INVALID_BATCH', `${name}: expected a non-negative safe integer, got ${String(v)}; number epochs and batches from 0`);
    }
  }
  const all = [...leaves];
  if (shape !== undefined) {
    validateShape(shape);
    if (all.length > shape.batchSize) {
      throw new PinbenchError('RULE_TOO_MANY_DEVICES', `batch has ${all.length} leaves but batchSize is ${shape.batchSize}; split the devices into batches of at most ${shape.batchSize}`);
    }
    const empty = emptyLeafHash(shape.readingsPerDevice);
    while (all.length < shape.batchSize) all.push(empty);
  }
  if (all.length < 1 || all.length + 2 > MAX_POSEIDON_INPUTS) {
    throw new PinbenchError('RULE_SHAPE_TOO_LARGE', `batch commitment over ${all.length} leaves: expected 1 to ${MAX_POSEIDON_INPUTS - 2} (Poseidon takes at most ${MAX_POSEIDON_INPUTS} inputs); lower batchSize`);
  }
  return poseidon([BigInt(epoch), BigInt(batch), ...all]);
}

/** The public per-slot value the contract decodes: deviceIndex·2^64 + units. */
export function slotValue(deviceIndex: number, units: bigint): bigint {
  validateDeviceIndex(deviceIndex);
  if (units < 0n || units >= TWO_64) {
    throw new PinbenchError('RULE_INVALID_UNITS', `units: expected a bigint in [0, 2^64), got ${units}; compute units with workUnits`);
  }
  return BigInt(deviceIndex) * TWO_64 + units;
}

/** Inverse of slotValue, for readers of public signals. */
export function decodeSlot(slot: bigint): { deviceIndex: number; units: bigint } {
  return { deviceIndex: Number(slot / TWO_64), units: slot % TWO_64 };
}
