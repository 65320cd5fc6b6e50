import { batchOfDevice } from '../../core/reward-rule.ts';

export interface ProofBatch<T> {
  batch: number;
  work: T[];
}

/**
 * Groups an epoch's per-device work into proof batches by fixed assignment: batch b covers
 * registry indexes b·B+1 … b·B+B (core/reward-rule.ts), so a device is in exactly one batch of
 * an epoch. A batch whose devices all earn nothing is not proven: it would accrue nothing.
 *
 * Work comes in device-index order, as the epoch close streams it, and a batch is handed out as
 * soon as a device of a later batch arrives: its proof can start while the close goes on.
 */
export class BatchAssembler<T extends { deviceIndex: number; units: bigint }> {
  private current: ProofBatch<T> | undefined;
  private lastIndex = -Infinity;

  constructor(private readonly batchSize: number) {}

  /** Adds one device's work; returns the batch this completes, if any. */
  add(work: T): ProofBatch<T> | undefined {
    if (work.deviceIndex <= this.lastIndex) {
      throw new RangeError(`device ${work.deviceIndex} came after device ${this.lastIndex}: work must come in increasing device-index order`);
    }
    this.lastIndex = work.deviceIndex;
    const batch = batchOfDevice(work.deviceIndex, this.batchSize);
    if (this.current?.batch === batch) {
      this.current.work.push(work);
      return undefined;
    }
    const done = this.finish();
    this.current = { batch, work: [work] };
    return done;
  }

  /** The batch still open, once no more work comes; undefined when there is none or it earns nothing. */
  finish(): ProofBatch<T> | undefined {
    const done = this.current;
    this.current = undefined;
    return done !== undefined && done.work.some((w) => w.units > 0n) ? done : undefined;
  }
}

/** All of an epoch's batches at once, by batch number, from work in any order. */
export function assignBatches<T extends { deviceIndex: number; units: bigint }>(work: readonly T[], batchSize: number): Array<ProofBatch<T>> {
  const assembler = new BatchAssembler<T>(batchSize);
  const batches: Array<ProofBatch<T>> = [];
  for (const w of [...work].sort((a, b) => a.deviceIndex - b.deviceIndex)) {
    const done = assembler.add(w);
    if (done !== undefined) batches.push(done);
  }
  const last = assembler.finish();
  if (last !== undefined) batches.push(last);
  return batches;
}
