import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { poseidon6, poseidon9 } from 'poseidon-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBatchWitness, buildCircuit, proveBatch, shutdownProver, verifyBatchProof, writeProofArtifacts,
  type BatchCircuitInput, type CircuitArtifacts,
} from '../../circuits/index.ts';
import { loadSnarkjs } from '../../circuits/snarkjs.ts';
import { silentLogger } from '../../core/ports.ts';
import type { RuleParams, WorkReading } from '../../core/reward-rule.ts';

const cacheDir = process.env.PINBENCH_CACHE ?? path.join(os.homedir(), '.cache', 'pinbench');
const params: RuleParams = { unitsPerSample: 1_000n, maxStepE7: 50_000n, rewardPerUnitWei: 10n ** 9n };
const UINT32_MAX = 2 ** 32 - 1;
const TWO_32 = 1n << 32n;
const TWO_64 = 1n << 64n;

let artifacts: CircuitArtifacts;
beforeAll(async () => {
  artifacts = await buildCircuit({ cacheDir, logger: silentLogger });
}, 900_000);
afterAll(async () => {
  await shutdownProver();
});

/** A walk of `n` readings every 60 s starting at (lat, lon), stepping (dLat, dLon) ×1e7. */
function track(n: number, start: number, lat: number, lon: number, dLat: number, dLon: number): WorkReading[] {
  return Array.from({ length: n }, (_, i) => ({ latE7: lat + i * dLat, lonE7: lon + i * dLon, timestampS: start + 60 * i }));
}

async function proveAndCheck(request: Parameters<typeof buildBatchWitness>[0]) {
  const witness = buildBatchWitness(request, { batchSize: artifacts.batchSize, readingsPerDevice: artifacts.readingsPerDevice });
  const result = await proveBatch(artifacts, witness.input);
  expect(result.publicSignals).toEqual(witness.publicSignals.map(String));
  expect(result.calldata.pubSignals).toEqual(witness.publicSignals);
  expect(await verifyBatchProof(artifacts, result.proof, result.publicSignals)).toBe(true);
  return { witness, result };
}

/** Recomputes the commitment from raw circuit inputs, so tampered inputs fail only on the constraint under test. */
function recommit(input: BatchCircuitInput): void {
  const leaves = input.deviceIndex.map((idx, d) => poseidon9([
    BigInt(idx),
    ...input.lat[d]!.map((lat, i) => BigInt(lat) + BigInt(input.lon[d]![i]!) * TWO_32 + BigInt(input.ts[d]![i]!) * TWO_64),
  ]));
  input.commitment = poseidon6([BigInt(input.epoch), BigInt(input.batch), ...leaves]).toString();
}

/** A one-device batch with the cap at 0, so a device's units are just count · unitsPerSample. */
function uncappedInput(readings: WorkReading[]): BatchCircuitInput {
  return buildBatchWitness({ epoch: 1, batch: 0, params: { ...params, maxStepE7: 0n }, devices: [{ deviceIndex: 5, readings }] }).input;
}

describe('batch circuit', () => {
  it('args: the build reports its shape, constraint count and public signal count', async () => {
    expect(artifacts.batchSize).toBe(4);
    expect(artifacts.readingsPerDevice).toBe(8);
    expect(artifacts.nPublic).toBe(9);
    expect(artifacts.constraints).toBeLessThan(8192 - artifacts.nPublic);
    expect(artifacts.ptauPower).toBeGreaterThanOrEqual(13);
    const vkey = JSON.parse(await readFile(artifacts.vkeyPath, 'utf8')) as { nPublic: number };
    expect(vkey.nPublic).toBe(9);
    expect(await readFile(artifacts.verifierSolPath, 'utf8')).toContain('uint[9] calldata _pubSignals');
  });

  it('behavior: a second build call reuses the cached artifacts', async () => {
    const again = await buildCircuit({ cacheDir, logger: silentLogger });
    expect(again).toEqual(artifacts);
  });

  it('behavior: a full batch proves, verifies, and its public signals are the TS rule\'s slots and commitment', async () => {
    const devices = [
      { deviceIndex: 11, readings: track(8, 1_700_000_000, 523_456_789, 133_456_789, 1_200, -900) },
      // More readings than K, out of order: only the 8 earliest count.
      { deviceIndex: 12, readings: track(11, 1_700_000_000, -338_000_000, 1_512_000_000, 70_000, 0).reverse() },
      { deviceIndex: 13, readings: track(3, 1_700_000_100, 0, 0, -30_000, 30_000) },
      { deviceIndex: 14, readings: track(1, 1_700_000_200, 10, 10, 0, 0) },
    ];
    const { witness } = await proveAndCheck({ epoch: 42, batch: 3, params, devices });
    expect(witness.units).toEqual([8_000n + 7n * 2_100n, 8_000n + 7n * 50_000n, 3_000n + 2n * 50_000n, 1_000n]);
  });

  it('behavior: a batch that is not full and holds a device without readings', async () => {
    const devices = [
      { deviceIndex: 0, readings: [] },
      { deviceIndex: 7, readings: track(2, 1_000, 100, 200, 5, 5) },
    ];
    const { witness } = await proveAndCheck({ epoch: 0, batch: 0, params, devices });
    expect(witness.slots).toEqual([0n, 7n * TWO_64 + 2_010n, 0n, 0n]);
  });

  it('behavior: extreme coordinates, timestamps and params prove', async () => {
    const corners = (start: number): WorkReading[] => Array.from({ length: 8 }, (_, i) => ({
      latE7: i % 2 === 0 ? -900_000_000 : 900_000_000,
      lonE7: i % 4 < 2 ? -1_800_000_000 : 1_800_000_000,
      timestampS: start + i,
    }));
    const maxParams: RuleParams = { unitsPerSample: TWO_32 - 1n, maxStepE7: TWO_32 - 1n, rewardPerUnitWei: 1n };
    const devices = [
      { deviceIndex: UINT32_MAX, readings: corners(UINT32_MAX - 7) },
      { deviceIndex: UINT32_MAX - 1, readings: track(8, UINT32_MAX - 7 * 60, 900_000_000, 1_800_000_000, 0, 0) },
      { deviceIndex: 1, readings: corners(1) },
    ];
    const { witness } = await proveAndCheck({ epoch: 2 ** 40, batch: 2 ** 32, params: maxParams, devices });
    // Corner hops alternate a 1.8e9 latitude step with a 5.4e9 diagonal one, which the cap cuts to 2^32 - 1.
    expect(witness.units[0]).toBe(8n * (TWO_32 - 1n) + 4n * 1_800_000_000n + 3n * (TWO_32 - 1n));
    expect(witness.units[1]).toBe(8n * (TWO_32 - 1n));
  });

  it('behavior: written proof files verify with the snarkjs CLI', async () => {
    const witness = buildBatchWitness({ epoch: 5, batch: 1, params, devices: [{ deviceIndex: 3, readings: track(4, 10, 0, 0, 100, 100) }] });
    const { proof, publicSignals } = await proveBatch(artifacts, witness.input);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pinbench-proof-'));
    try {
      const { proofPath, publicPath } = await writeProofArtifacts(dir, 'epoch5-batch1', proof, publicSignals);
      expect(path.basename(proofPath)).toBe('epoch5-batch1.proof.json');
      const cli = path.join(path.dirname(createRequire(import.meta.url).resolve('snarkjs')), 'cli.cjs');
      const { stdout } = await promisify(execFile)(process.execPath, [cli, 'groth16', 'verify', artifacts.vkeyPath, publicPath, proofPath]);
      expect(stdout).toContain('OK!');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('behavior: calldata matches snarkjs exportSolidityCallData', async () => {
    const witness = buildBatchWitness({ epoch: 9, batch: 9, params, devices: [{ deviceIndex: 2, readings: track(2, 10, 0, 0, 1, 1) }] });
    const { proof, publicSignals, calldata } = await proveBatch(artifacts, witness.input);
    const snarkjs = (await loadSnarkjs()) as unknown as { groth16: { exportSolidityCallData(p: unknown, s: unknown): Promise<string> } };
    const text = await snarkjs.groth16.exportSolidityCallData(proof, publicSignals);
    const [a, b, c, pub] = JSON.parse(`[${text}]`) as [string[], string[][], string[], string[]];
    expect(calldata).toEqual({
      a: a.map(BigInt), b: b.map((pair) => pair.map(BigInt)), c: c.map(BigInt), pubSignals: pub.map(BigInt),
    });
  });

  it('error: a proof whose public signal is altered fails verification', async () => {
    const witness = buildBatchWitness({ epoch: 8, batch: 0, params, devices: [{ deviceIndex: 4, readings: track(3, 10, 0, 0, 10, 0) }] });
    const { proof, publicSignals } = await proveBatch(artifacts, witness.input);
    expect(await verifyBatchProof(artifacts, proof, publicSignals)).toBe(true);
    const moreUnits = [...publicSignals];
    moreUnits[5] = (BigInt(moreUnits[5]!) + 1n).toString();
    expect(await verifyBatchProof(artifacts, proof, moreUnits)).toBe(false);
    const otherEpoch = ['9', ...publicSignals.slice(1)];
    expect(await verifyBatchProof(artifacts, proof, otherEpoch)).toBe(false);
    expect(await verifyBatchProof(artifacts, proof, publicSignals.slice(0, 8))).toBe(false);
  });

  it('error: a witness claiming more units than its readings give fails to prove', async () => {
    const witness = buildBatchWitness({ epoch: 8, batch: 1, params, devices: [{ deviceIndex: 4, readings: track(3, 10, 0, 0, 10, 0) }] });
    witness.input.slot[0] = (witness.slots[0]! + 1n).toString();
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({
      code: 'PROOF_WITNESS_REJECTED',
      message: expect.stringMatching(/^the batch input does not satisfy the circuit \(.*\); build the input with buildBatchWitness from the same readings and params, for a circuit of the same batchSize\/readingsPerDevice$/),
    });
  });

  it('error: a commitment that does not match the readings fails to prove', async () => {
    const witness = buildBatchWitness({ epoch: 8, batch: 2, params, devices: [{ deviceIndex: 4, readings: track(3, 10, 0, 0, 10, 0) }] });
    witness.input.lat[0]![1] = (BigInt(witness.input.lat[0]![1]!) + 1n).toString();
    witness.input.slot[0] = (witness.slots[0]! + 1n).toString();
    await expect(proveBatch(artifacts, witness.input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: a gap in the present readings fails to prove', async () => {
    const input = uncappedInput(track(3, 10, 0, 0, 1, 1));
    input.present[0] = ['1', '0', '1', '0', '0', '0', '0', '0'];
    input.lat[0]![1] = '0';
    input.lon[0]![1] = '0';
    input.ts[0]![1] = '0';
    input.slot[0] = (5n * TWO_64 + 2_000n).toString();
    recommit(input);
    await expect(proveBatch(artifacts, input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: an absent reading with non-zero coordinates fails to prove', async () => {
    const input = uncappedInput(track(1, 10, 0, 0, 0, 0));
    input.lat[0]![1] = '123';
    recommit(input);
    await expect(proveBatch(artifacts, input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: an empty slot claimed as a reading fails to prove (the commitment alone would not catch it)', async () => {
    const input = uncappedInput(track(2, 10, 0, 0, 0, 0));
    input.present[0]![2] = '1';
    input.slot[0] = (5n * TWO_64 + 3_000n).toString();
    await expect(proveBatch(artifacts, input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: a non-binary present flag fails to prove', async () => {
    const input = uncappedInput(track(1, 10, 0, 0, 0, 0));
    input.present[0]![0] = '2';
    input.slot[0] = (5n * TWO_64 + 2_000n).toString();
    await expect(proveBatch(artifacts, input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });

  it('error: a coordinate beyond its bit width fails to prove', async () => {
    const input = uncappedInput(track(1, 10, 0, 0, 0, 0));
    input.lat[0]![0] = (1n << 31n).toString();
    recommit(input);
    await expect(proveBatch(artifacts, input)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
    const wide = uncappedInput(track(1, 10, 0, 0, 0, 0));
    wide.ts[0]![0] = TWO_32.toString();
    recommit(wide);
    await expect(proveBatch(artifacts, wide)).rejects.toMatchObject({ code: 'PROOF_WITNESS_REJECTED' });
  });
});
