import { describe, expect, it } from 'vitest';
import { requiredPtauPower } from '../../circuits/ptau.ts';
import { toCalldata } from '../../circuits/prove.ts';
import { buildBatchWitness } from '../../circuits/witness.ts';
import { batchCommitment, deviceLeafHash, slotValue, workUnits, type RuleParams } from '../../core/reward-rule.ts';

const params: RuleParams = { unitsPerSample: 5n, maxStepE7: 10_000n, rewardPerUnitWei: 1n };
const shape = { batchSize: 4, readingsPerDevice: 3 };
const readings = [
  { latE7: 20, lonE7: -20, timestampS: 30 },
  { latE7: 0, lonE7: 0, timestampS: 10 },
  { latE7: 10, lonE7: 0, timestampS: 20 },
  { latE7: 99, lonE7: 99, timestampS: 40 },
];

describe('buildBatchWitness', () => {
  it('behavior: public signals are epoch, batch, commitment, params, then one slot per batch position', () => {
    const w = buildBatchWitness({ epoch: 3, batch: 1, params, devices: [{ deviceIndex: 9, readings }] }, shape);
    const units = workUnits(readings, params, 3);
    expect(units).toBe(15n + 10n + 30n);
    const commitment = batchCommitment(3, 1, [deviceLeafHash(9, readings, 3)], shape);
    expect(w.commitment).toBe(commitment);
    expect(w.units).toEqual([units, 0n, 0n, 0n]);
    expect(w.slots).toEqual([slotValue(9, units), 0n, 0n, 0n]);
    expect(w.publicSignals).toEqual([3n, 1n, commitment, 5n, 10_000n, slotValue(9, units), 0n, 0n, 0n]);
  });

  it('behavior: the circuit input holds sorted, offset, zero-padded readings', () => {
    const w = buildBatchWitness({ epoch: 0, batch: 0, params, devices: [{ deviceIndex: 9, readings: readings.slice(0, 2) }] }, shape);
    expect(w.input.lat[0]).toEqual(['900000000', '900000020', '0']);
    expect(w.input.lon[0]).toEqual(['1800000000', '1799999980', '0']);
    expect(w.input.ts[0]).toEqual(['10', '30', '0']);
    expect(w.input.present[0]).toEqual(['1', '1', '0']);
    expect(w.input.present[3]).toEqual(['0', '0', '0']);
    expect(w.input.deviceIndex).toEqual(['9', '0', '0', '0']);
    expect(w.input.slot).toEqual(w.slots.map(String));
  });

  it('error: more devices than batchSize', () => {
    const devices = [1, 2, 3, 4, 5].map((deviceIndex) => ({ deviceIndex, readings: [] }));
    expect(() => buildBatchWitness({ epoch: 2, batch: 7, params, devices }, shape)).toThrow('batch 7 of epoch 2 has 5 devices but the circuit takes batchSize 4; split the devices into batches of at most 4');
  });

  it('error: the same device twice in one batch', () => {
    const devices = [{ deviceIndex: 4, readings: [] }, { deviceIndex: 4, readings: [] }];
    expect(() => buildBatchWitness({ epoch: 0, batch: 0, params, devices }, shape)).toThrow("devices[1].deviceIndex 4 appears twice in batch 0; merge the device's readings into one entry");
  });

  it('error: device index outside uint32', () => {
    expect(() => buildBatchWitness({ epoch: 0, batch: 0, params, devices: [{ deviceIndex: 2 ** 32, readings: [] }] }, shape)).toThrow("devices[0].deviceIndex: expected a uint32 in [0, 4294967295], got 4294967296; use the device's registry index");
  });
});

describe('helpers', () => {
  it('args: requiredPtauPower follows snarkjs (2^power > constraints + public signals)', () => {
    expect(requiredPtauPower(8178, 9)).toBe(13);
    expect(requiredPtauPower(8182, 9)).toBe(13);
    expect(requiredPtauPower(8183, 9)).toBe(14);
  });

  it('args: toCalldata swaps the G2 coordinates of b for the Solidity verifier', () => {
    const proof = { pi_a: ['1', '2', '1'], pi_b: [['3', '4'], ['5', '6'], ['1', '0']], pi_c: ['7', '8', '1'], protocol: 'groth16', curve: 'bn128' };
    expect(toCalldata(proof, ['9', '10'])).toEqual({ a: [1n, 2n], b: [[4n, 3n], [6n, 5n]], c: [7n, 8n], pubSignals: [9n, 10n] });
  });
});
