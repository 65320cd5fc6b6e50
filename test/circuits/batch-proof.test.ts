import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBatchWitness, buildCircuit, proofWords, proveBatch, shutdownProver, verifyBatchProof, writeProofArtifacts,
  type BatchCircuitInput, type BatchWitnessRequest, type CircuitArtifacts,
} from '../../circuits/index.ts';
import { loadSnarkjs } from '../../circuits/snarkjs.ts';
import { silentLogger } from '../../core/ports.ts';
import {
  SMALL_SHAPE, batchCommitment, deviceLeafHash, encodeHeader, flagLargeJumps, packLanes, poseidonChain, unpackLaneFlags, workUnits,
  type RuleParams, type WorkReading,
} from '../../core/reward-rule.ts';
import { testCacheDir } from '../support/cache.ts';

const params: RuleParams = { unitsPerSample: 1_000n, maxStepE7: 50_000n, rewardPerUnitWei: 10n ** 9n };
const TWO_32 = 1n << 32n;
// Tests never build the default 32×4 shape: it needs a 2^15 ptau (20+ minutes on a fresh machine).
const shape = SMALL_SHAPE;
const REJECTED = /^the batch input does not satisfy the circuit \(.*\); build the input with buildBatchWitness from the same readings, flags and params, for a circuit of the same batchSize\/readingsPerDevice$/;

let artifacts: CircuitArtifacts;
beforeAll(async () => {
  artifacts = await buildCircuit({ cacheDir: testCacheDir, ...shape, logger: silentLogger });
}, 900_000);
afterAll(async () => {
  await shutdownProver();
});

/** `n` readings every 60 s from (lat, lon), stepping (dLat, dLon) ×1e7. */
function track(n: number, start: number, lat: number, lon: number, dLat: number, dLon: number): WorkReading[] {
  return Array.from({ length: n }, (_, i) => ({ latE7: lat + i * dLat, lonE7: lon + i * dLon, timestampS: start + 60 * i }));
}

async function proveAndCheck(request: BatchWitnessRequest) {
  const witness = buildBatchWitness(request, shape);
  const result = await proveBatch(artifacts, witness.input);
  expect(result.publicSignals).toEqual(witness.publicSignals.map(String));
  expect(result.proofWords).toEqual(proofWords(result.proof));
  expect(await verifyBatchProof(artifacts, result.proof, result.publicSignals)).toBe(true);
  return { witness, result };
}

/**
 * Recomputes the commitment from the raw circuit input (leaf_d = poseidonChain(index, flags,
 * lat, lon, ts, …)), so a tampered input fails only on the constraint under test.
 */
function recommit(input: BatchCircuitInput): void {
  const b = input.lat.length;
  const leaves = input.lat.map((lat, d) => poseidonChain([
    BigInt(Number(input.batch) * b + d + 1),
    input.flag[d]!.reduce((acc, f, i) => acc + BigInt(f) * (1n << BigInt(i)), 0n),
    ...lat.flatMap((latU, i) => [BigInt(latU), BigInt(input.lon[d]![i]!), BigInt(input.ts[d]![i]!)]),
  ]));
  input.commitment = batchCommitment(BigInt(input.header), leaves).toString();
}

describe('batch circuit (small shape, B = 4, K = 8)', () => {
  it('args: the build reports its shape, constraints, 3 public signals and fits 2^13', async () => {
    expect(artifacts).toMatchObject({ batchSize: 4, readingsPerDevice: 8, lanes: 1, nPublic: 3 });
    expect(artifacts.constraints).toBeLessThan(8192 - artifacts.nPublic);
    expect(artifacts.ptauPower).toBeGreaterThanOrEqual(13);
    expect(artifacts.buildMs).toBeGreaterThanOrEqual(0);
    const vkey = JSON.parse(await readFile(artifacts.vkeyPath, 'utf8')) as { nPublic: number };
    expect(vkey.nPublic).toBe(3);
    expect(await readFile(artifacts.verifierSolPath, 'utf8')).toContain('uint[3] calldata _pubSignals');
  });

  it('behavior: a second build call reuses the cached artifacts', async () => {
    const again = await buildCircuit({ cacheDir: testCacheDir, ...shape, logger: silentLogger });
    expect(again).toEqual(artifacts);
  });

  it("behavior: a full batch proves; public signals are the header, the rule's commitment and lanes", async () => {
    const devices = [
      { deviceIndex: 9, readings: track(8, 1_700_000_000, 523_456_789, 133_456_789, 1_200, -900) },
      // More readings than K, out of order: only the 8 earliest count.
      { deviceIndex: 10, readings: track(11, 1_700_000_000, -338_000_000, 1_512_000_000, 70_000, 0).reverse() },
      { deviceIndex: 11, readings: track(3, 1_700_000_100, 0, 0, -30_000, 30_000) },
      { deviceIndex: 12, readings: track(1, 1_700_000_200, 10, 10, 0, 0) },
    ];
    const { witness } = await proveAndCheck({ epoch: 42, batch: 2, params, devices });
    expect(witness.deviceIndexes).toEqual([9, 10, 11, 12]);
    expect(witness.units).toEqual([8_000n + 7n * 2_100n, 8_000n + 7n * 50_000n, 3_000n + 2n * 50_000n, 1_000n]);
    expect(witness.units).toEqual(devices.map((d) => workUnits(d.readings, params, 8)));
    const header = encodeHeader(42, 2, params);
    const leaves = devices.map((d) => deviceLeafHash(d.deviceIndex, d.readings, 8));
    expect(witness.publicSignals).toEqual([header, batchCommitment(header, leaves), packLanes(witness.units)[0]]);
  });

  it('behavior: a batch that is not full, with a device without readings, proves with zero units there', async () => {
    const { witness } = await proveAndCheck({
      epoch: 0, batch: 0, params,
      devices: [{ deviceIndex: 1, readings: [] }, { deviceIndex: 2, readings: track(2, 1_000, 100, 200, 5, 5) }],
    });
    expect(witness.units).toEqual([0n, 2_010n, 0n, 0n]);
    // Listed without readings or not listed at all: the same empty leaf.
    const header = encodeHeader(0, 0, params);
    const leaves = [1, 2, 3, 4].map((i) => deviceLeafHash(i, i === 2 ? track(2, 1_000, 100, 200, 5, 5) : [], 8));
    expect(witness.commitment).toBe(batchCommitment(header, leaves));
  });

  it('behavior: maximum epoch, batch, params and coordinates prove', async () => {
    const max: RuleParams = { unitsPerSample: TWO_32 - 1n, maxStepE7: TWO_32 - 1n, rewardPerUnitWei: 1n };
    const batch = 2 ** 32 - 1;
    const first = batch * 4 + 1;
    const steps = (start: number): WorkReading[] => Array.from({ length: 8 }, (_, i) => ({
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
    expect(witness.header).toBe((1n << 128n) - 1n);
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
    expect(witness.input.flag[0]).toEqual(['0', '0', '1', '0', '0', '0', '0', '0']);
  });

  it("behavior: under a policy the lanes carry the policy's units: capped, too thin, penalized, with coverage committed in the leaf", async () => {
    const policy = { capUnits: 5_500n, minSamples: 3, epochPenalty: true };
    const oneFlag = track(4, 1_000, 0, 0, 1_000, 0);
    oneFlag[3]!.flagged = true;
    const devices = [
      { deviceIndex: 1, readings: track(5, 1_000, 0, 0, 1_000, 0), coverageUnits: 300n },
      { deviceIndex: 2, readings: track(2, 1_000, 0, 0, 1_000, 0), coverageUnits: 300n },
      { deviceIndex: 3, readings: oneFlag, coverageUnits: 300n },
      { deviceIndex: 4, readings: track(3, 1_000, 0, 0, 100, 0), coverageUnits: 77n },
    ];
    const { witness } = await proveAndCheck({ epoch: 2, batch: 0, params, policy, devices });
    // 1: 5,000 + 4,000 + 300 capped at 5,500; 2: two samples < 3; 3: a flag zeroes the epoch; 4: 3,000 + 200 + 77.
    expect(witness.units).toEqual([5_500n, 0n, 0n, 3_277n]);
    expect(witness.header).toBe(encodeHeader(2, 0, params, policy));
    const leaf = deviceLeafHash(4, devices[3]!.readings, shape.readingsPerDevice, 77n);
    expect(leaf).not.toBe(deviceLeafHash(4, devices[3]!.readings, shape.readingsPerDevice));
  });

  it('error: lanes with the units before the cap, or without the penalty, fail to prove', async () => {
    const policy = { capUnits: 5_500n, minSamples: 0, epochPenalty: true };
    const flagged = track(3, 1_000, 0, 0, 1_000, 0);
    flagged[1]!.flagged = true;
    const request = { epoch: 2, batch: 0, params, policy, devices: [{ deviceIndex: 1, readings: track(5, 1_000, 0, 0, 1_000, 0) }, { deviceIndex: 2, readings: flagged }] };
    const uncapped = buildBatchWitness(request, shape);
    // Device 2's flag bit stays as proven, so only the cap (or the penalty below) is wrong.
    uncapped.input.lane = packLanes([9_000n, 0n, 0n, 0n], [false, true]).map(String);
    await expect(proveBatch(artifacts, uncapped.input)).rejects.toThrow(REJECTED);
    const unpenalized = buildBatchWitness(request, shape);
    unpenalized.input.lane = packLanes([5_500n, 2_000n, 0n, 0n], [false, true]).map(String);
    await expect(proveBatch(artifacts, unpenalized.input)).rejects.toThrow(REJECTED);
  });

  it('behavior: each lane carries a flag bit per device with a flagged reading, and a lane that hides or invents one fails to prove', async () => {
    const flagged = track(3, 1_000, 0, 0, 1_000, 0);
    flagged[2]!.flagged = true;
    const request = { epoch: 3, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(3, 1_000, 0, 0, 1_000, 0) }, { deviceIndex: 2, readings: flagged }] };
    const { witness } = await proveAndCheck(request);
    expect(witness.flagged).toEqual([false, true, false, false]);
    expect(unpackLaneFlags(witness.lanes, 4)).toEqual([false, true, false, false]);
    expect(witness.lanes[0]! >> 240n).toBe(2n);
    const hidden = buildBatchWitness(request, shape);
    hidden.input.lane = packLanes(hidden.units).map(String);
    await expect(proveBatch(artifacts, hidden.input)).rejects.toThrow(REJECTED);
    const invented = buildBatchWitness(request, shape);
    invented.input.lane = packLanes(invented.units, [true, true]).map(String);
    await expect(proveBatch(artifacts, invented.input)).rejects.toThrow(REJECTED);
  });

  it('behavior: a jump flagged by flagLargeJumps proves', async () => {
    const readings: WorkReading[] = [
      { latE7: 0, lonE7: 0, timestampS: 10 },
      { latE7: 0, lonE7: 1 << 20, timestampS: 20 },
      { latE7: 0, lonE7: (1 << 20) + 7, timestampS: 30 },
    ];
    const { witness } = await proveAndCheck({ epoch: 1, batch: 0, params, devices: [{ deviceIndex: 1, readings: flagLargeJumps(readings, 8) }] });
    expect(witness.units[0]).toBe(2_000n);
  });

  it('behavior: written proof files verify with the snarkjs CLI', async () => {
    const witness = buildBatchWitness({ epoch: 5, batch: 1, params, devices: [{ deviceIndex: 6, readings: track(4, 10, 0, 0, 100, 100) }] }, shape);
    const { proof, publicSignals } = await proveBatch(artifacts, witness.input);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pinbench-proof-'));
    try {
      const { proofPath, publicPath } = await writeProofArtifacts(dir, 'epoch5-batch1', proof, publicSignals);
      expect(path.basename(proofPath)).toBe('epoch5-batch1.proof.json');
      expect(JSON.parse(await readFile(publicPath, 'utf8'))).toEqual(witness.publicSignals.map(String));
      const cli = path.join(path.dirname(createRequire(import.meta.url).resolve('snarkjs')), 'cli.cjs');
      const { stdout } = await promisify(execFile)(process.execPath, [cli, 'groth16', 'verify', artifacts.vkeyPath, publicPath, proofPath]);
      expect(stdout).toContain('OK!');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('behavior: proofWords are the eight words of snarkjs exportSolidityCallData', async () => {
    const witness = buildBatchWitness({ epoch: 9, batch: 9, params, devices: [{ deviceIndex: 38, readings: track(2, 10, 0, 0, 1, 1) }] }, shape);
    const { proof, publicSignals, proofWords: words } = await proveBatch(artifacts, witness.input);
    const snarkjs = (await loadSnarkjs()) as unknown as { groth16: { exportSolidityCallData(p: unknown, s: unknown): Promise<string> } };
    const text = await snarkjs.groth16.exportSolidityCallData(proof, publicSignals);
    const [a, b, c, pub] = JSON.parse(`[${text}]`) as [string[], string[][], string[], string[]];
    expect(words).toEqual([...a, ...b[0]!, ...b[1]!, ...c].map(BigInt));
    expect(pub.map(BigInt)).toEqual(witness.publicSignals);
  });

  it('error: tampered public signals (another epoch, another batch, more units, another commitment, a missing lane) fail verification', async () => {
    const witness = buildBatchWitness({ epoch: 5, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(3, 10, 0, 0, 10, 0) }] }, shape);
    const { proof, publicSignals } = await proveBatch(artifacts, witness.input);
    expect(await verifyBatchProof(artifacts, proof, publicSignals)).toBe(true);
    const [header, commitment, lane] = publicSignals as [string, string, string];
    expect(await verifyBatchProof(artifacts, proof, [encodeHeader(6, 0, params), commitment, lane])).toBe(false);
    expect(await verifyBatchProof(artifacts, proof, [encodeHeader(5, 1, params), commitment, lane])).toBe(false);
    expect(await verifyBatchProof(artifacts, proof, [header, commitment, BigInt(lane) + 1n])).toBe(false);
    expect(await verifyBatchProof(artifacts, proof, [header, BigInt(commitment) + 1n, lane])).toBe(false);
    expect(await verifyBatchProof(artifacts, proof, [header, commitment])).toBe(false);
  });

  it('error: a witness claiming more units than the readings give fails to prove', async () => {
    const witness = buildBatchWitness({ epoch: 8, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(3, 10, 0, 0, 10, 0) }] }, shape);
    witness.input.lane[0] = (witness.lanes[0]! + 1n).toString();
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED', message: expect.stringMatching(REJECTED) });
    // Units moved from one device to its neighbour (same total) fail too.
    const moved = buildBatchWitness({ epoch: 8, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(3, 10, 0, 0, 10, 0) }] }, shape);
    moved.input.lane[0] = packLanes([moved.units[0]! - 1n, 1n, 0n, 0n])[0]!.toString();
    await expect(proveBatch(artifacts, moved.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: a commitment that does not match the readings fails to prove', async () => {
    const witness = buildBatchWitness({ epoch: 8, batch: 2, params, devices: [{ deviceIndex: 10, readings: track(3, 10, 0, 0, 10, 0) }] }, shape);
    // Moving the middle reading by 1 keeps the units (10 + 10 = 11 + 9), so only the commitment is wrong.
    witness.input.lat[1]![1] = (BigInt(witness.input.lat[1]![1]!) + 1n).toString();
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: clearing a committed flag without changing the commitment fails to prove', async () => {
    const readings = track(3, 10, 0, 0, 10, 0);
    readings[1]!.flagged = true;
    const witness = buildBatchWitness({ epoch: 8, batch: 0, params, devices: [{ deviceIndex: 1, readings }] }, shape);
    witness.input.flag[0]![1] = '0';
    witness.input.lane[0] = (3_000n + 20n).toString();
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: an unflagged jump of 2^20 fails to prove, even with a consistent commitment', async () => {
    const readings: WorkReading[] = [{ latE7: 0, lonE7: 0, timestampS: 10 }, { latE7: 0, lonE7: 1 << 20, timestampS: 20 }];
    // Build with the jump flagged, then clear the flag and recompute commitment and units as an
    // honest-looking prover would: the circuit still has no witness.
    const witness = buildBatchWitness({ epoch: 1, batch: 0, params, devices: [{ deviceIndex: 1, readings: flagLargeJumps(readings, 8) }] }, shape);
    witness.input.flag[0]![1] = '0';
    recommit(witness.input);
    expect(witness.input.commitment).toBe(batchCommitment(encodeHeader(1, 0, params), [1, 2, 3, 4].map((i) => deviceLeafHash(i, i === 1 ? readings : [], 8))).toString());
    witness.input.lane[0] = (2_000n + 50_000n).toString();
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: a flag on an absent reading fails to prove', async () => {
    const witness = buildBatchWitness({ epoch: 1, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(1, 10, 0, 0, 0, 0) }] }, shape);
    witness.input.flag[0]![3] = '1';
    recommit(witness.input);
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: a non-binary flag fails to prove', async () => {
    const witness = buildBatchWitness({ epoch: 1, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(1, 10, 0, 0, 0, 0) }] }, shape);
    witness.input.flag[0]![0] = '2';
    recommit(witness.input);
    witness.input.lane[0] = '0';
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: a gap in the present readings fails to prove', async () => {
    const witness = buildBatchWitness({ epoch: 1, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(3, 10, 0, 0, 1, 1) }] }, shape);
    for (const field of ['lat', 'lon', 'ts'] as const) witness.input[field][0]![1] = '0';
    recommit(witness.input);
    witness.input.lane[0] = '2000';
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: an absent reading with non-zero coordinates fails to prove', async () => {
    const witness = buildBatchWitness({ epoch: 1, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(1, 10, 0, 0, 0, 0) }] }, shape);
    witness.input.lat[0]![1] = '123';
    recommit(witness.input);
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: a header that does not encode epoch, batch and params fails to prove', async () => {
    const witness = buildBatchWitness({ epoch: 1, batch: 0, params, devices: [{ deviceIndex: 1, readings: track(2, 10, 0, 0, 5, 0) }] }, shape);
    witness.input.epoch = '2';
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it("error: a device outside the batch's index range is rejected before proving", () => {
    expect(() => buildBatchWitness({ epoch: 1, batch: 1, params, devices: [{ deviceIndex: 4, readings: [] }] }, shape)).toThrow(
      'devices[0].deviceIndex 4 is not in batch 1, which covers indexes 5..8 (batch = floor((index - 1) / 4)); put the device in its own batch',
    );
  });
});
