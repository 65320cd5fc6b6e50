/**
 * One batch of one epoch, proven and settled: what the backend reports when its settlement is
 * mined (backend/ports.ts) and what the run report's batch table shows (reports/types.ts).
 */
export interface SettledBatch {
  epoch: number;
  batch: number;
  /** Registry indexes of the batch's devices with work. */
  deviceIndexes: number[];
  /** The Poseidon commitment to the batch's readings and flags (a public input of the proof). */
  commitment: string;
  proveMs: number;
  /** From the receipt, as a decimal string. */
  gasUsed: string;
  calldataBytes: number;
  txHash: string;
  /** Wall time from the start of the epoch's close to the settlement being mined. */
  closeToMinedMs: number;
  /** The proof's file, relative to the run folder. */
  proofFile: string;
}
