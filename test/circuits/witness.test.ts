import { describe, expect, it } from 'vitest';
import { requiredPtauPower } from '../../circuits/ptau.ts';
import { proofWords } from '../../circuits/prove.ts';
import { buildBatchWitness } from '../../circuits/witness.ts';
import {
  batchCommitment, deviceLeafHash, encodeHeader, packLanes, workUnits, type RuleParams, type WorkReading,
} from '../../core/reward-rule.ts';

const params: RuleParams = { unitsPerSample: 5n, maxStepE7: 10_000n, rewardPerUnitWei: 1n };
const shape = { batchSize: 4, readingsPerDevice: 3 };
const readings: WorkReading[] = [
  { latE7: 20, lonE7: -20, timestampS: 30 },
  { latE7: 0, lonE7: 0, timestampS: 10 },
  { latE7: 10, lonE7: 0, timestampS: 20 },
  { latE7: 99, lonE7: 99, timestampS: 40 },
];

describe('buildBatchWitness', () => {
  it('behavior: public signals are the header, the commitment, then the lanes of per-slot units', () => {
    // Batch 1 covers indexes 5..8; device 6 is slot 1.
    const w = buildBatchWitness({ epoch: 3, batch: 1, params, devices: [{ deviceIndex: 6, readings }] }, shape);
    const units = workUnits(readings, params, 3);
    expect(units).toBe(15n + 10n + 30n);
    const header = encodeHeader(3, 1, params);
    const leaves = [5, 6, 7, 8].map((i) => deviceLeafHash(i, i === 6 ? readings : [], 3));
    const commitment = batchCommitment(header, leaves);
    expect(w.header).toBe(header);
    expect(w.commitment).toBe(commitment);
    expect(w.deviceIndexes).toEqual([5, 6, 7, 8]);
    expect(w.units).toEqual([0n, units, 0n, 0n]);
    expect(w.lanes).toEqual([units << 40n]);
    expect(w.lanes).toEqual(packLanes(w.units));
    expect(w.publicSignals).toEqual([header, commitment, units << 40n]);
  });

  it('behavior: the circuit input holds sorted, offset, zero-padded readings, flags and the header parts', () => {
    const flagged = [{ ...readings[0]!, flagged: true }, readings[1]!];
    const w = buildBatchWitness({ epoch: 0, batch: 0, params, devices: [{ deviceIndex: 1, readings: flagged }] }, shape);
    expect(w.input.lat[0]).toEqual(['900000000', '900000020', '0']);
    expect(w.input.lon[0]).toEqual(['1800000000', '1799999980', '0']);
    expect(w.input.ts[0]).toEqual(['10', '30', '0']);
    expect(w.input.flag[0]).toEqual(['0', '1', '0']);
    for (const field of ['lat', 'lon', 'ts', 'flag'] as const) expect(w.input[field][3]).toEqual(['0', '0', '0']);
    expect(w.input).toMatchObject({
      header: w.header.toString(), commitment: w.commitment.toString(), lane: w.lanes.map(String),
      epoch: '0', batch: '0', unitsPerSample: '5', maxStepE7: '10000',
    });
    // The flagged reading earns nothing and breaks the only step.
    expect(w.units).toEqual([5n, 0n, 0n, 0n]);
  });

  it('behavior: the order of devices in the request does not matter', () => {
    const a = { deviceIndex: 2, readings: readings.slice(0, 2) };
    const b = { deviceIndex: 4, readings: readings.slice(2) };
    const one = buildBatchWitness({ epoch: 1, batch: 0, params, devices: [a, b] }, shape);
    const other = buildBatchWitness({ epoch: 1, batch: 0, params, devices: [b, a] }, shape);
    expect(other.publicSignals).toEqual(one.publicSignals);
    expect(other.input).toEqual(one.input);
  });

  it('behavior: without a shape, the default 32 × 4 lays out 6 lanes and 8 public signals (no circuit is built)', () => {
    const w = buildBatchWitness({ epoch: 0, batch: 1, params, devices: [{ deviceIndex: 64, readings }] });
    expect(w.deviceIndexes).toHaveLength(32);
    expect(w.deviceIndexes[31]).toBe(64);
    expect(w.input.lat[31]).toHaveLength(4);
    expect(w.lanes).toHaveLength(6);
    expect(w.publicSignals).toHaveLength(8);
    // Slot 31 is the second unit of lane 5.
    expect(w.lanes[5]).toBe(workUnits(readings, params, 4) << 40n);
  });

  it('error: a device outside the batch', () => {
    expect(() => buildBatchWitness({ epoch: 2, batch: 7, params, devices: [{ deviceIndex: 27, readings: [] }] }, shape)).toThrow(
      'devices[0].deviceIndex 27 is not in batch 7, which covers indexes 29..32 (batch = floor((index - 1) / 4)); put the device in its own batch',
    );
    expect(() => buildBatchWitness({ epoch: 2, batch: 0, params, devices: [{ deviceIndex: 0, readings: [] }] }, shape)).toThrow(
      expect.objectContaining({ code: 'WITNESS_DEVICE_OUTSIDE_BATCH' }),
    );
  });

  it('error: the same device twice in one batch', () => {
    const devices = [{ deviceIndex: 4, readings: [] }, { deviceIndex: 4, readings: [] }];
    expect(() => buildBatchWitness({ epoch: 0, batch: 0, params, devices }, shape)).toThrow(
      "devices[1].deviceIndex 4 appears twice in batch 0; merge the device's readings into one entry",
    );
  });

  it('error: an invalid shape, params or header part', () => {
    expect(() => buildBatchWitness({ epoch: 0, batch: 0, params, devices: [] }, { batchSize: 6, readingsPerDevice: 3 })).toThrow(
      'batchSize: expected a multiple of 4 in [4, 1024], got 6; use e.g. 32',
    );
    expect(() => buildBatchWitness({ epoch: 0, batch: 0, params: { ...params, unitsPerSample: 1n << 32n }, devices: [] }, shape)).toThrow(
      /^unitsPerSample: expected a bigint in \[0, 4294967295\]/,
    );
    expect(() => buildBatchWitness({ epoch: 2 ** 32, batch: 0, params, devices: [] }, shape)).toThrow(/^epoch: expected an integer in \[0, 4294967295\]/);
  });

  it('error: an unflagged jump of 2^20 is refused before proving', () => {
    const jump = [{ latE7: 0, lonE7: 0, timestampS: 1 }, { latE7: 1 << 20, lonE7: 0, timestampS: 2 }];
    expect(() => buildBatchWitness({ epoch: 0, batch: 0, params, devices: [{ deviceIndex: 1, readings: jump }] }, shape)).toThrow(
      expect.objectContaining({ code: 'RULE_UNFLAGGED_JUMP' }),
    );
  });
});

describe('helpers', () => {
  it('args: requiredPtauPower follows snarkjs (2^power > constraints + public signals)', () => {
    expect(requiredPtauPower(8178, 9)).toBe(13);
    expect(requiredPtauPower(8182, 9)).toBe(13);
    expect(requiredPtauPower(8183, 9)).toBe(14);
  });

  it("args: proofWords lists a, b, c for Settlement.settle with b's G2 coordinates swapped", () => {
    const proof = { pi_a: ['1', '2', '1'], pi_b: [['3', '4'], ['5', '6'], ['1', '0']], pi_c: ['7', '8', '1'], protocol: 'groth16', curve: 'bn128' };
    expect(proofWords(proof)).toEqual([1n, 2n, 4n, 3n, 6n, 5n, 7n, 8n]);
  });
});
