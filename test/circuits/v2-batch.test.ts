import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownProver } from '../../circuits/index.ts';
import {
  buildBatchWitnessV2, buildCircuitV2, proveBatchV2, verifyBatchProofV2, type BatchWitnessRequestV2, type CircuitArtifactsV2,
} from '../../circuits/v2/index.ts';
import { silentLogger } from '../../core/ports.ts';
import { workUnits, type RuleParams, type WorkReading } from '../../core/reward-rule.ts';
import {
  SMALL_SHAPE_V2, batchCommitmentV2, deviceLeafHashV2, encodeHeader, flagLargeJumps, packLanes, unpackLanes,
  workUnitsV2, type ReadingV2,
} from '../../core/reward-rule-v2.ts';

const cacheDir = process.env.PINBENCH_CACHE ?? path.join(os.homedir(), '.cache', 'pinbench');
const params: RuleParams = { unitsPerSample: 1_000n, maxStepE7: 50_000n, rewardPerUnitWei: 10n ** 9n };
const TWO_32 = 1n << 32n;
const shape = SMALL_SHAPE_V2;

let artifacts: CircuitArtifactsV2;
beforeAll(async () => {
  artifacts = await buildCircuitV2({ cacheDir, ...shape, logger: silentLogger });
}, 900_000);
afterAll(async () => {
  await shutdownProver();
});

/** `n` readings every 60 s from (lat, lon), stepping (dLat, dLon) ×1e7. */
function track(n: number, start: number, lat: number, lon: number, dLat: number, dLon: number): ReadingV2[] {
  return Array.from({ length: n }, (_, i) => ({ latE7: lat + i * dLat, lonE7: lon + i * dLon, timestampS: start + 60 * i }));
}

async function proveAndCheck(request: BatchWitnessRequestV2) {
  const witness = buildBatchWitnessV2(request, shape);
  const result = await proveBatchV2(artifacts, witness.input);
  expect(result.publicSignals).toEqual(witness.publicSignals.map(String));
  expect(await verifyBatchProofV2(artifacts, result.proof, result.publicSignals)).toBe(true);
  return { witness, result };
}

describe('v2 rule', () => {
  it('behavior: without flags or large jumps, units equal the v1 rule', () => {
    const readings = track(8, 1_000, 100, 200, 3_000, -70_000);
    expect(workUnitsV2(readings, params, 8)).toBe(workUnits(readings as WorkReading[], params, 8));
  });

  it('behavior: lanes pack 6 units of 40 bits and unpack again', () => {
    const units = [1n, (1n << 40n) - 1n, 0n, 5n, 6n, 7n, 8n];
    const lanes = packLanes(units);
    expect(lanes).toHaveLength(2);
    expect(unpackLanes(lanes, 7)).toEqual(units);
  });

  it('error: an unflagged jump of 2^20 throws; flagLargeJumps flags the later reading', () => {
    const readings: ReadingV2[] = [
      { latE7: 0, lonE7: 0, timestampS: 10 },
      { latE7: 1 << 20, lonE7: 0, timestampS: 20 },
      { latE7: (1 << 20) + 5, lonE7: 0, timestampS: 30 },
    ];
    expect(() => workUnitsV2(readings, params, 8)).toThrow(/at least 2\^20: flag the later reading/);
    const flagged = flagLargeJumps(readings, 8);
    expect(flagged.map((r) => r.flagged ?? false)).toEqual([false, true, false]);
    // Reading 1 is flagged: two samples count, and no step touches reading 1.
    expect(workUnitsV2(flagged, params, 8)).toBe(2_000n);
  });
});

describe('v2 batch circuit (small shape)', () => {
  it('args: the build reports its shape, constraints, 3 public signals and fits 2^13', () => {
    expect(artifacts).toMatchObject({ batchSize: 4, readingsPerDevice: 8, lanes: 1, nPublic: 3 });
    expect(artifacts.constraints).toBeLessThan(8192 - artifacts.nPublic);
    expect(artifacts.ptauPower).toBeGreaterThanOrEqual(13);
  });

  it('behavior: a full batch proves; public signals are the header, the rule\'s commitment and lanes', async () => {
    const devices = [
      { deviceIndex: 9, readings: track(8, 1_700_000_000, 523_456_789, 133_456_789, 1_200, -900) },
      { deviceIndex: 10, readings: track(11, 1_700_000_000, -338_000_000, 1_512_000_000, 70_000, 0).reverse() },
      { deviceIndex: 11, readings: track(3, 1_700_000_100, 0, 0, -30_000, 30_000) },
      { deviceIndex: 12, readings: track(1, 1_700_000_200, 10, 10, 0, 0) },
    ];
    const { witness } = await proveAndCheck({ epoch: 42, batch: 2, params, devices });
    expect(witness.deviceIndexes).toEqual([9, 10, 11, 12]);
    expect(witness.units).toEqual([8_000n + 7n * 2_100n, 8_000n + 7n * 50_000n, 3_000n + 2n * 50_000n, 1_000n]);
    const header = encodeHeader(42, 2, params);
    const leaves = devices.map((d) => deviceLeafHashV2(d.deviceIndex, d.readings, 8));
    expect(witness.publicSignals).toEqual([header, batchCommitmentV2(header, leaves), packLanes(witness.units)[0]]);
  });

  it('behavior: a batch that is not full, with a device without readings, proves with zero units there', async () => {
    const { witness } = await proveAndCheck({
      epoch: 0, batch: 0, params, devices: [{ deviceIndex: 2, readings: track(2, 1_000, 100, 200, 5, 5) }],
    });
    expect(witness.units).toEqual([0n, 2_010n, 0n, 0n]);
  });

  it('behavior: maximum epoch, batch, params and coordinates prove', async () => {
    const max: RuleParams = { unitsPerSample: TWO_32 - 1n, maxStepE7: TWO_32 - 1n, rewardPerUnitWei: 1n };
    const batch = 2 ** 32 - 1;
    const first = batch * 4 + 1;
    const steps = (start: number): ReadingV2[] => Array.from({ length: 8 }, (_, i) => ({
      latE7: 900_000_000 - (i % 2) * ((1 << 20) - 1),
      lonE7: -1_800_000_000 + (i % 2) * ((1 << 20) - 1),
      timestampS: start + i,
    }));
    const { witness } = await proveAndCheck({
      epoch: 2 ** 32 - 1, batch, params: max,
      devices: [
        { deviceIndex: first, readings: steps(2 ** 32 - 8) },
        { deviceIndex: first + 3, readings: track(8, 2 ** 32 - 8 * 60, -900_000_000, 1_800_000_000, 0, 0) },
      ],
    });
    // Each step is the largest allowed, 2 · (2^20 - 1), below the cap.
    expect(witness.units[0]).toBe(8n * (TWO_32 - 1n) + 7n * 2n * ((1n << 20n) - 1n));
    expect(witness.units[3]).toBe(8n * (TWO_32 - 1n));
  });

  it('behavior: flagged readings earn nothing and break the steps around them', async () => {
    const readings = track(5, 1_000, 0, 0, 1_000, 0);
    readings[2]!.flagged = true;
    const allFlagged = track(3, 1_000, 0, 0, 1_000, 0).map((r) => ({ ...r, flagged: true }));
    const { witness } = await proveAndCheck({
      epoch: 3, batch: 0, params,
      devices: [{ deviceIndex: 1, readings }, { deviceIndex: 2, readings: allFlagged }],
    });
    // Samples 0, 1, 3, 4 count; steps 0→1 and 3→4 count (1,000 each); 1→2 and 2→3 do not.
    expect(witness.units).toEqual([4_000n + 2_000n, 0n, 0n, 0n]);
  });

  it('error: a witness claiming more units than the readings give fails to prove', async () => {
    const witness = buildBatchWitnessV2({ epoch: 8, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(3, 10, 0, 0, 10, 0) }] }, shape);
    witness.input.lane[0] = (witness.lanes[0]! + 1n).toString();
    await expect(proveBatchV2(artifacts, witness.input)).rejects.toMatchObject({
      code: 'PROOF_WITNESS_REJECTED',
      message: expect.stringMatching(/^the batch input does not satisfy the v2 circuit \(.*\); build the input with buildBatchWitnessV2/),
    });
  });

  it('error: clearing a committed flag without changing the commitment fails to prove', async () => {
    const readings = track(3, 10, 0, 0, 10, 0);
    readings[1]!.flagged = true;
    const witness = buildBatchWitnessV2({ epoch: 8, batch: 0, params, devices: [{ deviceIndex: 1, readings }] }, shape);
    witness.input.flag[0]![1] = '0';
    witness.input.lane[0] = (3_000n + 20n).toString();
    await expect(proveBatchV2(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: an unflagged jump of 2^20 fails to prove, even with a consistent commitment', async () => {
    const readings: ReadingV2[] = [{ latE7: 0, lonE7: 0, timestampS: 10 }, { latE7: 0, lonE7: 1 << 20, timestampS: 20 }];
    // Build with the jump flagged, then clear the flag and recompute commitment and units as an
    // honest-looking prover would: the circuit still has no witness.
    const flagged = flagLargeJumps(readings, 8);
    const witness = buildBatchWitnessV2({ epoch: 1, batch: 0, params, devices: [{ deviceIndex: 1, readings: flagged }] }, shape);
    const header = encodeHeader(1, 0, params);
    const leaves = [deviceLeafHashV2(1, readings, 8), ...[2, 3, 4].map((i) => deviceLeafHashV2(i, [], 8))];
    witness.input.flag[0]![1] = '0';
    witness.input.commitment = batchCommitmentV2(header, leaves).toString();
    witness.input.lane[0] = (2_000n + 50_000n).toString();
    await expect(proveBatchV2(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: a flag on an absent reading fails to prove', async () => {
    const witness = buildBatchWitnessV2({ epoch: 1, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(1, 10, 0, 0, 0, 0) }] }, shape);
    witness.input.flag[0]![3] = '1';
    await expect(proveBatchV2(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: a device outside the batch\'s index range is rejected before proving', () => {
    expect(() => buildBatchWitnessV2({ epoch: 1, batch: 1, params, devices: [{ deviceIndex: 4, readings: [] }] }, shape)).toThrow(
      'devices[0].deviceIndex 4 is not in batch 1, which covers indexes 5..8 (batch = floor((index - 1) / 4)); put the device in its own batch',
    );
  });

  it('error: a proof does not verify with another epoch in the header or another lane', async () => {
    const witness = buildBatchWitnessV2({ epoch: 5, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(3, 10, 0, 0, 10, 0) }] }, shape);
    const { proof, publicSignals } = await proveBatchV2(artifacts, witness.input);
    expect(await verifyBatchProofV2(artifacts, proof, [encodeHeader(6, 0, params), ...publicSignals.slice(1)])).toBe(false);
    expect(await verifyBatchProofV2(artifacts, proof, [...publicSignals.slice(0, 2), String(BigInt(publicSignals[2]!) + 1n)])).toBe(false);
  });
});
