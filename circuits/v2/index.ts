/** Public API of the v2 batch circuit (issue 5): build, make inputs, prove and verify. */
export { buildCircuitV2 } from './build.ts';
export type { BuildCircuitV2Options, CircuitArtifactsV2 } from './build.ts';
export { buildBatchWitnessV2 } from './witness.ts';
export type { BatchCircuitInputV2, BatchDeviceV2, BatchWitnessRequestV2, BatchWitnessV2 } from './witness.ts';
export { proveBatchV2, verifyBatchProofV2, proofWords } from './prove.ts';
export type { BatchProofV2 } from './prove.ts';
