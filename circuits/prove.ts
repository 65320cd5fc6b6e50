/**
 * Groth16 proving and verification of a batch with snarkjs, plus the calldata shape the
 * snarkjs Solidity verifier expects. snarkjs multi-threads one proof itself; callers running a
 * pool must not oversubscribe the cores (docs/architecture.md, "Decisions").
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PinbenchError } from '../core/errors.ts';
import type { CircuitArtifacts } from './build.ts';
import { loadSnarkjs, terminateCurve, type Groth16Proof, type MemFile, type VerificationKey } from './snarkjs.ts';
import type { BatchCircuitInput } from './witness.ts';

export type { Groth16Proof } from './snarkjs.ts';

export interface BatchProof {
  proof: Groth16Proof;
  publicSignals: string[];
  /** a0, a1, b00, b01, b10, b11, c0, c1 in the verifier's order (G2 pairs already swapped). */
  proofWords: bigint[];
  proveMs: number;
}

/**
 * The eight words Settlement.settle passes to the verifier. The Solidity verifier takes G2
 * coordinates as (imaginary, real), the reverse of snarkjs' JSON, which is why b's inner pairs
 * are swapped (as in snarkjs' exportSolidityCallData).
 */
export function proofWords(proof: Groth16Proof): bigint[] {
  const n = (s: string | undefined): bigint => BigInt(s ?? '0');
  const [a, b, c] = [proof.pi_a, proof.pi_b, proof.pi_c];
  return [n(a[0]), n(a[1]), n(b[0]?.[1]), n(b[0]?.[0]), n(b[1]?.[1]), n(b[1]?.[0]), n(c[0]), n(c[1])];
}

export async function proveBatch(artifacts: CircuitArtifacts, input: BatchCircuitInput): Promise<BatchProof> {
  const snarkjs = await loadSnarkjs();
  const started = performance.now();
  const witness: MemFile = { type: 'mem' };
  try {
    await snarkjs.wtns.calculate(input, artifacts.wasmPath, witness);
  } catch (err) {
    const reason = String((err as Error).message ?? err).split('\n')[0];
    throw new PinbenchError('PROOF_WITNESS_REJECTED', `the batch input does not satisfy the circuit (${reason}); build the input with buildBatchWitness from the same readings, flags and params, for a circuit of the same batchSize/readingsPerDevice`, { details: { epoch: input.epoch, batch: input.batch, key: artifacts.key }, cause: err });
  }
  let result: { proof: Groth16Proof; publicSignals: string[] };
  try {
    result = await snarkjs.groth16.prove(artifacts.zkeyPath, witness);
  } catch (err) {
    throw new PinbenchError('PROOF_FAILED', `groth16 proving failed with ${artifacts.zkeyPath} (${String((err as Error).message ?? err)}); rebuild the circuit with buildCircuit`, { details: { zkeyPath: artifacts.zkeyPath }, cause: err });
  }
  const proveMs = performance.now() - started;
  return { ...result, proofWords: proofWords(result.proof), proveMs };
}

const vkeys = new Map<string, Promise<VerificationKey>>();

async function loadVkey(vkeyPath: string): Promise<VerificationKey> {
  let vkey = vkeys.get(vkeyPath);
  if (!vkey) {
    vkey = readFile(vkeyPath, 'utf8').then((t) => JSON.parse(t) as VerificationKey);
    vkeys.set(vkeyPath, vkey);
    vkey.catch(() => vkeys.delete(vkeyPath));
  }
  try {
    return await vkey;
  } catch (err) {
    throw new PinbenchError('PROOF_VKEY_UNREADABLE', `verification key ${vkeyPath} could not be read; rebuild the circuit with buildCircuit`, { details: { vkeyPath }, cause: err });
  }
}

/** True when the proof verifies for these public signals; false for any mismatch or malformed proof. */
export async function verifyBatchProof(artifacts: CircuitArtifacts, proof: Groth16Proof, publicSignals: ReadonlyArray<string | bigint>): Promise<boolean> {
  const vkey = await loadVkey(artifacts.vkeyPath);
  if (publicSignals.length !== vkey.nPublic) return false;
  const snarkjs = await loadSnarkjs();
  try {
    return await snarkjs.groth16.verify(vkey, publicSignals.map(String), proof);
  } catch {
    return false;
  }
}

/** Writes `<name>.proof.json` and `<name>.public.json`, checkable with `npx snarkjs groth16 verify`. */
export async function writeProofArtifacts(dir: string, name: string, proof: Groth16Proof, publicSignals: ReadonlyArray<string | bigint>): Promise<{ proofPath: string; publicPath: string }> {
  await mkdir(dir, { recursive: true });
  const proofPath = path.join(dir, `${name}.proof.json`);
  const publicPath = path.join(dir, `${name}.public.json`);
  await writeFile(proofPath, JSON.stringify(proof, null, 1));
  await writeFile(publicPath, JSON.stringify(publicSignals.map(String), null, 1));
  return { proofPath, publicPath };
}

/** Stops snarkjs' worker threads so the process can exit; the next proof starts them again. */
export async function shutdownProver(): Promise<void> {
  await terminateCurve();
}
