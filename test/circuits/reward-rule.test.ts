import { poseidon6, poseidon9 } from 'poseidon-lite';
import { describe, expect, it } from 'vitest';
import {
  batchCommitment, decodeSlot, deviceLeafHash, emptyLeafHash, packReading, rewardWei,
  selectEpochReadings, slotValue, validateShape, workUnits,
  type RuleParams, type WorkReading,
} from '../../core/reward-rule.ts';

const params: RuleParams = { unitsPerSample: 10n, maxStepE7: 1_000n, rewardPerUnitWei: 3n };
const at = (timestampS: number, latE7: number, lonE7: number): WorkReading => ({ latE7, lonE7, timestampS });
const TWO_32 = 1n << 32n;
const TWO_64 = 1n << 64n;

describe('workUnits', () => {
  it('behavior: counts samples and adds the Manhattan step of consecutive readings', () => {
    const readings = [at(100, 0, 0), at(160, 300, -200), at(220, 100, -200)];
    // 3 samples · 10 + (300 + 200) + (200 + 0)
    expect(workUnits(readings, params, 8)).toBe(30n + 500n + 200n);
  });

  it('behavior: caps each step at maxStepE7', () => {
    const readings = [at(100, 0, 0), at(160, 900, 900), at(220, 900, 950)];
    expect(workUnits(readings, params, 8)).toBe(30n + 1_000n + 50n);
  });

  it('behavior: orders readings by timestamp before measuring steps', () => {
    const sorted = [at(1, 0, 0), at(2, 500, 0), at(3, 0, 0)];
    const shuffled = [sorted[2]!, sorted[0]!, sorted[1]!];
    expect(workUnits(shuffled, params, 8)).toBe(workUnits(sorted, params, 8));
    expect(workUnits(shuffled, params, 8)).toBe(30n + 500n + 500n);
  });

  it('behavior: counts only the first K readings of the epoch', () => {
    const readings = [at(5, 999, 0), at(1, 0, 0), at(2, 100, 0), at(3, 200, 0)];
    expect(selectEpochReadings(readings, 2)).toEqual([at(1, 0, 0), at(2, 100, 0)]);
    expect(workUnits(readings, params, 2)).toBe(20n + 100n);
  });

  it('behavior: breaks timestamp ties by latitude then longitude, independent of arrival order', () => {
    const a = at(7, 5, 1);
    const b = at(7, 5, 0);
    const c = at(7, -5, 9);
    expect(selectEpochReadings([a, b, c], 8)).toEqual([c, b, a]);
    expect(selectEpochReadings([b, c, a], 8)).toEqual([c, b, a]);
  });

  it('behavior: a device without readings earns nothing', () => {
    expect(workUnits([], params, 8)).toBe(0n);
    expect(rewardWei(workUnits([], params, 8), params)).toBe(0n);
  });

  it('behavior: a single reading earns unitsPerSample only', () => {
    expect(workUnits([at(1, 10, 10)], params, 8)).toBe(10n);
  });

  it('behavior: measures across the equator and the antimeridian in offset coordinates (no wrap-around)', () => {
    const uncapped = { ...params, maxStepE7: TWO_32 - 1n };
    expect(workUnits([at(1, -10, 0), at(2, 10, 0)], uncapped, 8)).toBe(20n + 20n);
    expect(workUnits([at(1, 0, -1_800_000_000), at(2, 0, 1_800_000_000)], uncapped, 8)).toBe(20n + 3_600_000_000n);
  });

  it('behavior: rewardWei multiplies units by rewardPerUnitWei', () => {
    expect(rewardWei(730n, params)).toBe(2_190n);
  });
});

describe('packReading', () => {
  it('behavior: packs latU + lonU·2^32 + timestampS·2^64 at both extremes', () => {
    expect(packReading(at(1, -900_000_000, -1_800_000_000))).toBe(TWO_64);
    expect(packReading(at(2 ** 32 - 1, 900_000_000, 1_800_000_000))).toBe(1_800_000_000n + 3_600_000_000n * TWO_32 + (TWO_32 - 1n) * TWO_64);
  });

  it('behavior: distinct readings pack to distinct values at the field boundaries', () => {
    const edges = [
      at(1, 900_000_000, -1_800_000_000), // latU max, lonU 0
      at(1, -900_000_000, -1_799_999_999), // lonU 1
      at(2, -900_000_000, -1_800_000_000), // ts 2
      at(1, -900_000_000, 1_800_000_000), // lonU max
      at(2 ** 32 - 1, -900_000_000, -1_800_000_000),
      at(1, -899_999_999, -1_800_000_000),
    ];
    const packed = edges.map(packReading);
    expect(new Set(packed).size).toBe(edges.length);
    for (const p of packed) expect(p >= TWO_64 && p < 1n << 96n).toBe(true);
  });
});

describe('hashes and slots', () => {
  it('behavior: deviceLeafHash is Poseidon(K+1) over the sorted, zero-padded packed readings', () => {
    const r1 = at(20, 1, 2);
    const r2 = at(10, 3, 4);
    const expected = poseidon9([7n, packReading(r2), packReading(r1), 0n, 0n, 0n, 0n, 0n, 0n]);
    expect(deviceLeafHash(7, [r1, r2], 8)).toBe(expected);
    expect(emptyLeafHash(8)).toBe(poseidon9([0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]));
  });

  it('behavior: batchCommitment is Poseidon(B+2) and pads unused slots with the empty leaf', () => {
    const leaf = deviceLeafHash(3, [at(1, 0, 0)], 8);
    const empty = emptyLeafHash(8);
    const expected = poseidon6([5n, 2n, leaf, empty, empty, empty]);
    expect(batchCommitment(5, 2, [leaf, empty, empty, empty])).toBe(expected);
    expect(batchCommitment(5, 2, [leaf], { batchSize: 4, readingsPerDevice: 8 })).toBe(expected);
  });

  it('behavior: slotValue puts the device index above 64 bits of units', () => {
    const slot = slotValue(2 ** 32 - 1, TWO_64 - 1n);
    expect(slot).toBe((TWO_32 - 1n) * TWO_64 + TWO_64 - 1n);
    expect(decodeSlot(slot)).toEqual({ deviceIndex: 2 ** 32 - 1, units: TWO_64 - 1n });
    expect(slotValue(0, 0n)).toBe(0n);
  });
});

describe('validation', () => {
  it('error: latitude outside ±90°', () => {
    expect(() => workUnits([at(1, 900_000_001, 0)], params, 8)).toThrow('readings[0].latE7: expected an integer latitude ×1e7 in [-900000000, 900000000], got 900000001; drop the reading or fix its decoding');
  });

  it('error: longitude outside ±180°', () => {
    expect(() => packReading(at(1, 0, -1_800_000_001))).toThrow('reading.lonE7: expected an integer longitude ×1e7 in [-1800000000, 1800000000], got -1800000001; drop the reading or fix its decoding');
  });

  it('error: non-integer coordinate', () => {
    expect(() => packReading(at(1, 1.5, 0))).toThrow('reading.latE7: expected an integer latitude ×1e7 in [-900000000, 900000000], got 1.5');
  });

  it('error: timestamp outside uint32', () => {
    expect(() => selectEpochReadings([at(1, 0, 0), at(2 ** 32, 0, 0)], 8)).toThrow('readings[1].timestampS: expected unix seconds in [1, 4294967295], got 4294967296; drop the reading or fix the device clock');
  });

  it('error: timestamp 0, which would pack like an empty slot', () => {
    expect(() => packReading(at(0, -900_000_000, -1_800_000_000))).toThrow('reading.timestampS: expected unix seconds in [1, 4294967295], got 0; drop the reading or fix the device clock');
  });

  it('error: rule params at or above 2^32', () => {
    expect(() => workUnits([], { ...params, maxStepE7: TWO_32 }, 8)).toThrow('maxStepE7: expected a bigint in [0, 4294967295] (the circuit range-checks it to 32 bits), got 4294967296; choose a smaller value');
    expect(() => workUnits([], { ...params, unitsPerSample: -1n }, 8)).toThrow('unitsPerSample: expected a bigint in [0, 4294967295] (the circuit range-checks it to 32 bits), got -1; choose a smaller value');
    expect(() => rewardWei(1n, { ...params, rewardPerUnitWei: 1n << 128n })).toThrow('rewardPerUnitWei: expected a bigint in [0, 2^128), got 340282366920938463463374607431768211456; choose a smaller value');
  });

  it('error: shapes whose hashes exceed 16 Poseidon inputs', () => {
    expect(() => validateShape({ batchSize: 4, readingsPerDevice: 16 })).toThrow('readingsPerDevice 16: a device leaf hashes K+1 = 17 values but Poseidon takes at most 16; lower readingsPerDevice to 15 or less');
    expect(() => validateShape({ batchSize: 15, readingsPerDevice: 8 })).toThrow('batchSize 15: the batch commitment hashes B+2 = 17 values but Poseidon takes at most 16; lower batchSize to 14 or less');
    expect(() => validateShape({ batchSize: 0, readingsPerDevice: 8 })).toThrow('batchSize: expected a positive integer, got 0; use e.g. 4');
  });

  it('error: device index outside uint32', () => {
    expect(() => deviceLeafHash(-1, [], 8)).toThrow("deviceIndex: expected a uint32 in [0, 4294967295], got -1; use the device's registry index");
  });

  it('error: more leaves than the batch size', () => {
    expect(() => batchCommitment(0, 0, [1n, 2n, 3n], { batchSize: 2, readingsPerDevice: 8 })).toThrow('batch has 3 leaves but batchSize is 2; split the devices into batches of at most 2');
  });
});
