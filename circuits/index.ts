/** Public API of circuits/: build the batch circuit, make its inputs, prove and verify. */
export { buildCircuit } from './build.ts';
export type { BuildCircuitOptions, CircuitArtifacts } from './build.ts';
export { buildBatchWitness } from './witness.ts';
export type { BatchCircuitInput, BatchDevice, BatchWitness, BatchWitnessRequest } from './witness.ts';
export { ProverPool, defaultProverThreads } from './prover-pool.ts';
export type { ProverPoolOptions } from './prover-pool.ts';
export { proveBatch, verifyBatchProof, writeProofArtifacts, shutdownProver, proofWords } from './prove.ts';
export type { BatchProof, Groth16Proof } from './prove.ts';
export { readPtauHeader, requiredPtauPower, MIN_LOCAL_PTAU_POWER } from './ptau.ts';
export type { PtauHeader } from './ptau.ts';
