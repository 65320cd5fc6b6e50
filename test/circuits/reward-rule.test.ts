import { poseidon16, poseidon2, poseidon4 } from 'poseidon-lite';
import { describe, expect, it } from 'vitest';
import { SCALAR_FIELD } from '../../contracts/deploy.ts';
import {
  DEFAULT_SHAPE, LANE_BITS, MAX_STEP_DELTA_E7, SMALL_SHAPE, UNITS_PER_LANE,
  batchCommitment, batchDeviceIndexes, batchOfDevice, decodeHeader, deviceLeafHash, encodeHeader, flagLargeJumps, policyUnits,
  laneCount, packLanes, poseidonChain, rewardWei, selectEpochReadings, unpackLaneFlags, unpackLanes, validateReading, validateRuleParams,
  validateShape, workUnits,
  type RuleParams, type WorkReading,
} from '../../core/reward-rule.ts';

const params: RuleParams = { unitsPerSample: 10n, maxStepE7: 1_000n, rewardPerUnitWei: 3n };
const at = (timestampS: number, latE7: number, lonE7: number, flagged?: boolean): WorkReading =>
  (flagged === undefined ? { latE7, lonE7, timestampS } : { latE7, lonE7, timestampS, flagged });
const TWO_32 = 1n << 32n;
const TWO_40 = 1n << 40n;
const JUMP = MAX_STEP_DELTA_E7;

describe('shapes', () => {
  it('args: the default shape is 32 × 4 and the small one 4 × 8, both frozen and valid', () => {
    expect(DEFAULT_SHAPE).toEqual({ batchSize: 32, readingsPerDevice: 4 });
    expect(SMALL_SHAPE).toEqual({ batchSize: 4, readingsPerDevice: 8 });
    expect(Object.isFrozen(DEFAULT_SHAPE) && Object.isFrozen(SMALL_SHAPE)).toBe(true);
    expect(() => validateShape(DEFAULT_SHAPE)).not.toThrow();
    expect(() => validateShape(SMALL_SHAPE)).not.toThrow();
    expect(() => validateShape({ batchSize: 1024, readingsPerDevice: 15 })).not.toThrow();
  });

  it('error: batchSize must be a multiple of 4 in [4, 1024]', () => {
    expect(() => validateShape({ batchSize: 6, readingsPerDevice: 8 })).toThrow('batchSize: expected a multiple of 4 in [4, 1024], got 6; use e.g. 32');
    expect(() => validateShape({ batchSize: 0, readingsPerDevice: 8 })).toThrow('batchSize: expected a multiple of 4 in [4, 1024], got 0; use e.g. 32');
    expect(() => validateShape({ batchSize: 1028, readingsPerDevice: 8 })).toThrow('batchSize: expected a multiple of 4 in [4, 1024], got 1028; use e.g. 32');
    expect(() => validateShape({ batchSize: 4.5, readingsPerDevice: 8 })).toThrow(/^batchSize: expected a multiple of 4/);
  });

  it('error: readingsPerDevice must be in [1, 15]', () => {
    expect(() => validateShape({ batchSize: 4, readingsPerDevice: 16 })).toThrow(
      'readingsPerDevice: expected an integer in [1, 15] (units must stay below 2^36), got 16; use e.g. 4',
    );
    expect(() => validateShape({ batchSize: 4, readingsPerDevice: 0 })).toThrow(
      'readingsPerDevice: expected an integer in [1, 15] (units must stay below 2^36), got 0; use e.g. 4',
    );
    expect(() => selectEpochReadings([], 16)).toThrow(/^readingsPerDevice: expected an integer in \[1, 15\]/);
  });
});

describe('selectEpochReadings', () => {
  it('behavior: sorts by timestamp and keeps the first K', () => {
    const readings = [at(5, 999, 0), at(1, 0, 0), at(2, 100, 0), at(3, 200, 0)];
    expect(selectEpochReadings(readings, 2)).toEqual([at(1, 0, 0), at(2, 100, 0)]);
    expect(selectEpochReadings(readings, 8)).toEqual([at(1, 0, 0), at(2, 100, 0), at(3, 200, 0), at(5, 999, 0)]);
    // The input is not reordered.
    expect(readings[0]).toEqual(at(5, 999, 0));
  });

  it('behavior: breaks timestamp ties by latitude then longitude, independent of arrival order', () => {
    const a = at(7, 5, 1);
    const b = at(7, 5, 0);
    const c = at(7, -5, 9);
    expect(selectEpochReadings([a, b, c], 8)).toEqual([c, b, a]);
    expect(selectEpochReadings([b, c, a], 8)).toEqual([c, b, a]);
  });

  it('behavior: keeps the flagged bit of the readings it selects', () => {
    expect(selectEpochReadings([at(2, 0, 0, true), at(1, 0, 0)], 8)).toEqual([at(1, 0, 0), at(2, 0, 0, true)]);
  });
});

describe('workUnits', () => {
  it('behavior: counts samples and adds the Manhattan step of consecutive readings', () => {
    const readings = [at(100, 0, 0), at(160, 300, -200), at(220, 100, -200)];
    // 3 samples · 10 + (300 + 200) + (200 + 0)
    expect(workUnits(readings, params, 8)).toBe(30n + 500n + 200n);
  });

  it('behavior: caps each step at maxStepE7', () => {
    const readings = [at(100, 0, 0), at(160, 900, 900), at(220, 900, 950)];
    expect(workUnits(readings, params, 8)).toBe(30n + 1_000n + 50n);
    expect(workUnits(readings, { ...params, maxStepE7: 0n }, 8)).toBe(30n);
  });

  it('behavior: orders readings by timestamp before measuring steps', () => {
    const sorted = [at(1, 0, 0), at(2, 500, 0), at(3, 0, 0)];
    const shuffled = [sorted[2]!, sorted[0]!, sorted[1]!];
    expect(workUnits(shuffled, params, 8)).toBe(workUnits(sorted, params, 8));
    expect(workUnits(shuffled, params, 8)).toBe(30n + 500n + 500n);
  });

  it('behavior: counts only the first K readings of the epoch', () => {
    const readings = [at(5, 999, 0), at(1, 0, 0), at(2, 100, 0), at(3, 200, 0)];
    expect(workUnits(readings, params, 2)).toBe(20n + 100n);
  });

  it('behavior: a device without readings earns nothing; a single reading earns unitsPerSample only', () => {
    expect(workUnits([], params, 8)).toBe(0n);
    expect(rewardWei(workUnits([], params, 8), params)).toBe(0n);
    expect(workUnits([at(1, 10, 10)], params, 8)).toBe(10n);
  });

  it('behavior: a flagged reading earns nothing and breaks the steps on both sides of it', () => {
    const readings = [at(1, 0, 0), at(2, 100, 0), at(3, 200, 0, true), at(4, 300, 0), at(5, 400, 0)];
    // Samples 1, 2, 4, 5; steps 1→2 and 4→5 only.
    expect(workUnits(readings, params, 8)).toBe(40n + 100n + 100n);
    expect(workUnits(readings.map((r) => ({ ...r, flagged: true })), params, 8)).toBe(0n);
    expect(workUnits([at(1, 0, 0, true), at(2, 100, 0)], params, 8)).toBe(10n);
    expect(workUnits([at(1, 0, 0, false), at(2, 100, 0, false)], params, 8)).toBe(20n + 100n);
  });

  it('behavior: a flag beyond the first K readings changes nothing', () => {
    const readings = [at(1, 0, 0), at(2, 100, 0), at(3, 200, 0, true)];
    expect(workUnits(readings, params, 2)).toBe(20n + 100n);
  });

  it('behavior: a step just below 2^20 per coordinate counts (capped); 2^20 in either coordinate throws', () => {
    const uncapped = { ...params, maxStepE7: TWO_32 - 1n };
    expect(workUnits([at(1, 0, 0), at(2, JUMP - 1, -(JUMP - 1))], uncapped, 8)).toBe(20n + 2n * BigInt(JUMP - 1));
    expect(() => workUnits([at(1, 0, 0), at(2, JUMP, 0)], params, 8)).toThrow(
      'readings at 1 and 2 are 1048576 / 0 apart (1e-7 degree), at least 2^20: flag the later reading (flagLargeJumps) or the circuit has no proof',
    );
    expect(() => workUnits([at(10, 0, 5), at(20, 0, 5 - JUMP)], params, 8)).toThrow(
      'readings at 10 and 20 are 0 / 1048576 apart (1e-7 degree), at least 2^20: flag the later reading (flagLargeJumps) or the circuit has no proof',
    );
    expect(() => workUnits([at(1, 0, 0), at(2, JUMP, 0)], params, 8)).toThrow(expect.objectContaining({ code: 'RULE_UNFLAGGED_JUMP' }));
  });

  it('behavior: a large jump next to a flagged reading does not throw (no step is counted there)', () => {
    expect(workUnits([at(1, 0, 0), at(2, JUMP * 10, 0, true), at(3, 0, 0)], params, 8)).toBe(20n);
    expect(workUnits([at(1, 0, 0, true), at(2, JUMP * 10, 0)], params, 8)).toBe(10n);
  });

  it('behavior: measures across the equator in offset coordinates; crossing the antimeridian is a large jump (no wrap-around)', () => {
    const uncapped = { ...params, maxStepE7: TWO_32 - 1n };
    expect(workUnits([at(1, -10, 0), at(2, 10, 0)], uncapped, 8)).toBe(20n + 20n);
    const antimeridian = [at(1, 0, 1_799_999_990), at(2, 0, -1_799_999_990)];
    expect(() => workUnits(antimeridian, uncapped, 8)).toThrow(/at least 2\^20/);
    expect(workUnits(flagLargeJumps(antimeridian, 8), uncapped, 8)).toBe(10n);
  });

  it('behavior: the largest possible units of one device stay below 2^36 and fit a lane', () => {
    const max: RuleParams = { unitsPerSample: TWO_32 - 1n, maxStepE7: TWO_32 - 1n, rewardPerUnitWei: 1n };
    const zigzag = Array.from({ length: 15 }, (_, i) => at(i + 1, (i % 2) * (JUMP - 1), (i % 2) * (JUMP - 1)));
    const units = workUnits(zigzag, max, 15);
    expect(units).toBe(15n * (TWO_32 - 1n) + 14n * 2n * BigInt(JUMP - 1));
    expect(units < 1n << 36n).toBe(true);
    expect(unpackLanes(packLanes([units]), 1)).toEqual([units]);
  });

  it('behavior: rewardWei multiplies units by rewardPerUnitWei', () => {
    expect(rewardWei(730n, params)).toBe(2_190n);
  });
});

describe('flagLargeJumps', () => {
  it('behavior: flags the later reading of a jump of 2^20 or more and returns sorted copies', () => {
    const readings = [at(30, JUMP + 5, 0), at(10, 0, 0), at(20, JUMP, 0)];
    const flagged = flagLargeJumps(readings, 8);
    expect(flagged.map((r) => [r.timestampS, r.flagged ?? false])).toEqual([[10, false], [20, true], [30, false]]);
    // Reading 20 is flagged: two samples count, and no step touches it.
    expect(workUnits(flagged, params, 8)).toBe(20n);
    // The input is left alone.
    expect(readings.every((r) => r.flagged === undefined)).toBe(true);
  });

  it('behavior: leaves small steps and readings already flagged alone, and caps at K', () => {
    const readings = [at(1, 0, 0), at(2, 10, 10), at(3, JUMP * 3, 0, true), at(4, 0, 0), at(5, JUMP, 0)];
    expect(flagLargeJumps(readings, 8).map((r) => r.flagged ?? false)).toEqual([false, false, true, false, true]);
    expect(flagLargeJumps(readings, 2)).toEqual([at(1, 0, 0), at(2, 10, 10)]);
  });

  it('behavior: after a flagged jump, the next step is measured from the last unflagged pair only', () => {
    // 0 → far (flagged) → far + 5: the third reading's predecessor is flagged, so it is not checked.
    const flagged = flagLargeJumps([at(1, 0, 0), at(2, JUMP * 2, 0), at(3, JUMP * 2 + 5, 0)], 8);
    expect(flagged.map((r) => r.flagged ?? false)).toEqual([false, true, false]);
    expect(workUnits(flagged, params, 8)).toBe(20n);
  });
});

describe('header', () => {
  it('behavior: encodes epoch | batch << 32 | unitsPerSample << 64 | maxStepE7 << 96 and decodes back', () => {
    expect(encodeHeader(7, 2, params)).toBe(7n + (2n << 32n) + (10n << 64n) + (1_000n << 96n));
    expect(encodeHeader(0, 0, { unitsPerSample: 0n, maxStepE7: 0n })).toBe(0n);
    const max = encodeHeader(2 ** 32 - 1, 2 ** 32 - 1, { unitsPerSample: TWO_32 - 1n, maxStepE7: TWO_32 - 1n });
    expect(max).toBe((1n << 128n) - 1n);
    const off = { capUnits: 0n, minSamples: 0, epochPenalty: false };
    expect(decodeHeader(max)).toEqual({ epoch: 2 ** 32 - 1, batch: 2 ** 32 - 1, unitsPerSample: TWO_32 - 1n, maxStepE7: TWO_32 - 1n, ...off });
    expect(decodeHeader(encodeHeader(42, 3, params))).toEqual({ epoch: 42, batch: 3, unitsPerSample: 10n, maxStepE7: 1_000n, ...off });
  });

  it('behavior: a policy adds capUnits << 128 | minSamples << 168 | epochPenalty << 172; the zero policy is today\'s header', () => {
    const policy = { capUnits: (1n << 40n) - 1n, minSamples: 15, epochPenalty: true };
    const header = encodeHeader(7, 2, params, policy);
    expect(header).toBe(encodeHeader(7, 2, params) + (((1n << 40n) - 1n) << 128n) + (15n << 168n) + (1n << 172n));
    expect(header < 1n << 173n).toBe(true);
    expect(decodeHeader(header)).toEqual({ epoch: 7, batch: 2, unitsPerSample: 10n, maxStepE7: 1_000n, ...policy });
    expect(encodeHeader(7, 2, params, { capUnits: 0n, minSamples: 0, epochPenalty: false })).toBe(encodeHeader(7, 2, params));
    expect(() => encodeHeader(7, 2, params, { ...policy, capUnits: 1n << 40n })).toThrow(
      'capUnits: expected a bigint in [0, 2^40) (0 = no cap; the circuit range-checks it to 40 bits), got 1099511627776',
    );
    expect(() => encodeHeader(7, 2, params, { ...policy, minSamples: 16 })).toThrow('minSamples: expected an integer in [0, 15] (0 = none), got 16');
  });

  it('behavior: policyUnits zeroes a penalized or too-thin device-epoch, adds coverage, then caps', () => {
    const r = (ts: number, flagged = false) => ({ latE7: 0, lonE7: 0, timestampS: ts, flagged });
    const clean = [r(1), r(2), r(3)];
    const off = { capUnits: 0n, minSamples: 0, epochPenalty: false };
    expect(policyUnits(clean, 30n, 5n, off)).toBe(35n);
    expect(policyUnits(clean, 30n, 5n, { ...off, capUnits: 32n })).toBe(32n);
    expect(policyUnits(clean, 30n, 5n, { ...off, minSamples: 3 })).toBe(35n);
    expect(policyUnits(clean, 30n, 5n, { ...off, minSamples: 4 })).toBe(0n);
    const oneFlag = [r(1), r(2, true), r(3)];
    expect(policyUnits(oneFlag, 20n, 0n, off)).toBe(20n);
    expect(policyUnits(oneFlag, 20n, 0n, { ...off, epochPenalty: true })).toBe(0n);
    expect(policyUnits(oneFlag, 20n, 0n, { ...off, minSamples: 3 })).toBe(0n);
    expect(() => policyUnits(clean, 30n, 1n << 36n, off)).toThrow('coverageUnits: expected a bigint in [0, 2^36) (the circuit range-checks it to 36 bits), got 68719476736; lower coverage.unitsPerCell');
  });

  it('error: epoch and batch outside 32 bits, params at or above 2^32', () => {
    expect(() => encodeHeader(2 ** 32, 0, params)).toThrow(
      'epoch: expected an integer in [0, 4294967295] (it is packed into 32 bits of the header), got 4294967296',
    );
    expect(() => encodeHeader(0, -1, params)).toThrow('batch: expected an integer in [0, 4294967295] (it is packed into 32 bits of the header), got -1');
    expect(() => encodeHeader(1.5, 0, params)).toThrow(/^epoch: expected an integer/);
    expect(() => encodeHeader(0, 0, { ...params, maxStepE7: TWO_32 })).toThrow(
      'maxStepE7: expected a bigint in [0, 4294967295], got 4294967296; choose a smaller value',
    );
    expect(() => encodeHeader(0, 0, { ...params, unitsPerSample: -1n })).toThrow(
      'unitsPerSample: expected a bigint in [0, 4294967295], got -1; choose a smaller value',
    );
  });
});

describe('lanes', () => {
  it('behavior: six units of 40 bits per lane, ceil(B/6) lanes', () => {
    expect([LANE_BITS, UNITS_PER_LANE]).toEqual([40, 6]);
    expect([4, 6, 8, 32, 36, 40].map(laneCount)).toEqual([1, 1, 2, 6, 6, 7]);
    const units = [1n, TWO_40 - 1n, 0n, 5n, 6n, 7n, 8n];
    const lanes = packLanes(units);
    expect(lanes).toEqual([1n + ((TWO_40 - 1n) << 40n) + (5n << 120n) + (6n << 160n) + (7n << 200n), 8n]);
    expect(unpackLanes(lanes, 7)).toEqual(units);
  });

  it('behavior: unpacking pads to the batch size with zeros; all lanes fit below 2^240', () => {
    expect(unpackLanes([3n], 8)).toEqual([3n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
    const full = packLanes(Array.from({ length: 6 }, () => TWO_40 - 1n));
    expect(full).toEqual([(1n << 240n) - 1n]);
  });

  it('behavior: a flag bit per slot sits above bit 240 of its lane, and a full lane stays below 2^246, inside the field', () => {
    const lanes = packLanes([1n, 2n, 0n, 0n, 0n, 0n, 3n], [false, true, false, false, false, true, true]);
    expect(lanes).toEqual([1n + (2n << 40n) + (1n << 241n) + (1n << 245n), 3n + (1n << 240n)]);
    expect(unpackLanes(lanes, 7)).toEqual([1n, 2n, 0n, 0n, 0n, 0n, 3n]);
    expect(unpackLaneFlags(lanes, 8)).toEqual([false, true, false, false, false, true, true, false]);
    const full = packLanes(Array.from({ length: 6 }, () => TWO_40 - 1n), Array.from({ length: 6 }, () => true));
    expect(full).toEqual([(1n << 246n) - 1n]);
    expect(full[0]! < SCALAR_FIELD).toBe(true);
    expect(() => packLanes([1n], [true, true])).toThrow('flagged: 2 flags for 1 slots; give one flag per slot at most');
  });

  it('error: units outside [0, 2^40)', () => {
    expect(() => packLanes([0n, TWO_40])).toThrow('units[1]: expected a bigint in [0, 2^40), got 1099511627776');
    expect(() => packLanes([-1n])).toThrow('units[0]: expected a bigint in [0, 2^40), got -1');
  });
});

describe('fixed assignment', () => {
  it('behavior: batch b covers registry indexes b·B+1 … b·B+B', () => {
    expect(batchDeviceIndexes(0, 4)).toEqual([1, 2, 3, 4]);
    expect(batchDeviceIndexes(2, 4)).toEqual([9, 10, 11, 12]);
    expect(batchDeviceIndexes(1, 32)[31]).toBe(64);
    expect([1, 4, 5, 8, 9].map((i) => batchOfDevice(i, 4))).toEqual([0, 0, 1, 1, 2]);
    expect(batchOfDevice(33, 32)).toBe(1);
    for (const index of [1, 7, 100]) expect(batchDeviceIndexes(batchOfDevice(index, 4), 4)).toContain(index);
  });

  it('error: registry indexes start at 1', () => {
    expect(() => batchOfDevice(0, 4)).toThrow('deviceIndex: expected a registry index ≥ 1, got 0; registry indexes start at 1');
    expect(() => batchOfDevice(1.5, 4)).toThrow('deviceIndex: expected a registry index ≥ 1, got 1.5; registry indexes start at 1');
  });
});

describe('hashes', () => {
  it('behavior: poseidonChain is Poseidon of up to 16 inputs, then Poseidon(h, next ≤ 15) per chunk', () => {
    const xs = Array.from({ length: 32 }, (_, i) => BigInt(i + 1));
    expect(poseidonChain(xs.slice(0, 4))).toBe(poseidon4(xs.slice(0, 4)));
    const h16 = poseidon16(xs.slice(0, 16));
    expect(poseidonChain(xs.slice(0, 16))).toBe(h16);
    expect(poseidonChain(xs.slice(0, 17))).toBe(poseidon2([h16, 17n]));
    const h31 = poseidon16([h16, ...xs.slice(16, 31)]);
    expect(poseidonChain(xs.slice(0, 31))).toBe(h31);
    expect(poseidonChain(xs)).toBe(poseidon2([h31, 32n]));
    expect(() => poseidonChain([])).toThrow('poseidonChain: expected at least one input');
  });

  it('behavior: deviceLeafHash chains index, packed flags and the sorted, offset, zero-padded readings', () => {
    const r1 = at(20, 1, 2, true);
    const r2 = at(10, 3, 4);
    const k = 3;
    expect(deviceLeafHash(7, [r1, r2], k)).toBe(poseidonChain([
      7n, 2n, // reading 1 (the later one) flagged: bit 1
      900_000_003n, 1_800_000_004n, 10n,
      900_000_001n, 1_800_000_002n, 20n,
      0n, 0n, 0n,
    ]));
    expect(deviceLeafHash(7, [], k)).toBe(poseidonChain([7n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]));
    // The flag and the index are committed.
    expect(deviceLeafHash(7, [r1, r2], k)).not.toBe(deviceLeafHash(7, [{ ...r1, flagged: false }, r2], k));
    expect(deviceLeafHash(7, [], k)).not.toBe(deviceLeafHash(8, [], k));
  });

  it('behavior: batchCommitment is poseidonChain(header, leaves)', () => {
    const header = encodeHeader(5, 2, params);
    const leaves = [9, 10, 11, 12].map((i) => deviceLeafHash(i, i === 9 ? [at(1, 0, 0)] : [], 8));
    expect(batchCommitment(header, leaves)).toBe(poseidonChain([header, ...leaves]));
    expect(batchCommitment(header, leaves)).not.toBe(batchCommitment(encodeHeader(6, 2, params), leaves));
  });
});

describe('validation', () => {
  it('error: latitude outside ±90°', () => {
    expect(() => workUnits([at(1, 900_000_001, 0)], params, 8)).toThrow(
      'readings[0].latE7: expected an integer latitude ×1e7 in [-900000000, 900000000], got 900000001; drop the reading or fix its decoding',
    );
  });

  it('error: longitude outside ±180°', () => {
    expect(() => validateReading(at(1, 0, -1_800_000_001))).toThrow(
      'reading.lonE7: expected an integer longitude ×1e7 in [-1800000000, 1800000000], got -1800000001; drop the reading or fix its decoding',
    );
  });

  it('error: non-integer coordinate', () => {
    expect(() => validateReading(at(1, 1.5, 0))).toThrow('reading.latE7: expected an integer latitude ×1e7 in [-900000000, 900000000], got 1.5');
  });

  it('error: timestamp outside uint32', () => {
    expect(() => selectEpochReadings([at(1, 0, 0), at(2 ** 32, 0, 0)], 8)).toThrow(
      'readings[1].timestampS: expected unix seconds in [1, 4294967295], got 4294967296; drop the reading or fix the device clock',
    );
  });

  it('error: timestamp 0, the circuit marker of an absent reading', () => {
    expect(() => deviceLeafHash(1, [at(0, -900_000_000, -1_800_000_000)], 8)).toThrow(
      'readings[0].timestampS: expected unix seconds in [1, 4294967295], got 0; drop the reading or fix the device clock',
    );
  });

  it('error: rule params at or above 2^32, reward per unit at or above 2^128, negative units', () => {
    expect(() => workUnits([], { ...params, maxStepE7: TWO_32 }, 8)).toThrow(
      'maxStepE7: expected a bigint in [0, 4294967295] (the circuit range-checks it to 32 bits), got 4294967296; choose a smaller value',
    );
    expect(() => validateRuleParams({ ...params, unitsPerSample: -1n })).toThrow(
      'unitsPerSample: expected a bigint in [0, 4294967295] (the circuit range-checks it to 32 bits), got -1; choose a smaller value',
    );
    expect(() => rewardWei(1n, { ...params, rewardPerUnitWei: 1n << 128n })).toThrow(
      'rewardPerUnitWei: expected a bigint in [0, 2^128), got 340282366920938463463374607431768211456; choose a smaller value',
    );
    expect(() => rewardWei(-1n, params)).toThrow('units: expected a non-negative bigint, got -1; compute units with workUnits');
  });
});
