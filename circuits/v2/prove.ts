/**
 * Groth16 proving and verification of a v2 batch, and the calldata SettlementV2.settle takes.
 * Like circuits/prove.ts (whose signatures are typed for v1), with the proof flattened to the
 * eight words the verifier reads.
 */
import { readFile } from 'node:fs/promises';
import { PinbenchError } from '../../core/errors.ts';
import { toCalldata } from '../prove.ts';
import { loadSnarkjs, type Groth16Proof, type MemFile, type VerificationKey } from '../snarkjs.ts';
import type { CircuitArtifactsV2 } from './build.ts';
import type { BatchCircuitInputV2 } from './witness.ts';

export interface BatchProofV2 {
  proof: Groth16Proof;
  publicSignals: string[];
  /** a0, a1, b00, b01, b10, b11, c0, c1 in the verifier's order (G2 pairs already swapped). */
  proofWords: bigint[];
  proveMs: number;
}

export function proofWords(proof: Groth16Proof): bigint[] {
  const { a, b, c } = toCalldata(proof, []);
  return [a[0], a[1], b[0][0], b[0][1], b[1][0], b[1][1], c[0], c[1]];
}

export async function proveBatchV2(artifacts: CircuitArtifactsV2, input: BatchCircuitInputV2): Promise<BatchProofV2> {
  const snarkjs = await loadSnarkjs();
  const started = performance.now();
  const witness: MemFile = { type: 'mem' };
  try {
    await snarkjs.wtns.calculate(input, artifacts.wasmPath, witness);
  } catch (err) {
    const reason = String((err as Error).message ?? err).split('\n')[0];
    throw new PinbenchError('PROOF_WITNESS_REJECTED', `the batch input does not satisfy the v2 circuit (${reason}); build the input with buildBatchWitnessV2 from the same readings, flags and params, for a circuit of the same batchSize/readingsPerDevice`, { details: { epoch: input.epoch, batch: input.batch, key: artifacts.key }, cause: err });
  }
  let result: { proof: Groth16Proof; publicSignals: string[] };
  try {
    result = await snarkjs.groth16.prove(artifacts.zkeyPath, witness);
  } catch (err) {
    throw new PinbenchError('PROOF_FAILED', `groth16 proving failed with ${artifacts.zkeyPath} (${String((err as Error).message ?? err)}); rebuild the circuit with buildCircuitV2`, { details: { zkeyPath: artifacts.zkeyPath }, cause: err });
  }
  return { ...result, proofWords: proofWords(result.proof), proveMs: performance.now() - started };
}

/** True when the proof verifies for these public signals; false for any mismatch or malformed proof. */
export async function verifyBatchProofV2(artifacts: CircuitArtifactsV2, proof: Groth16Proof, publicSignals: ReadonlyArray<string | bigint>): Promise<boolean> {
  const vkey = JSON.parse(await readFile(artifacts.vkeyPath, 'utf8')) as VerificationKey;
  if (publicSignals.length !== vkey.nPublic) return false;
  const snarkjs = await loadSnarkjs();
  try {
    return await snarkjs.groth16.verify(vkey, publicSignals.map(String), proof);
  } catch {
    return false;
  }
}
