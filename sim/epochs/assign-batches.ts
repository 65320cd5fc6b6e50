import { batchOfDevice } from '../../core/reward-rule.ts';

/**
 * Groups an epoch's per-device work into proof batches by fixed assignment: batch b covers
 * registry indexes b·B+1 … b·B+B (core/reward-rule.ts), so a device is in exactly one batch of
 * an epoch. A batch whose devices all earn nothing is not proven: it would accrue nothing.
 */
export function assignBatches<T extends { deviceIndex: number; units: bigint }>(work: readonly T[], batchSize: number): Array<{ batch: number; work: T[] }> {
  const byBatch = new Map<number, T[]>();
  for (const w of work) {
    const batch = batchOfDevice(w.deviceIndex, batchSize);
    const list = byBatch.get(batch) ?? [];
    list.push(w);
    byBatch.set(batch, list);
  }
  return [...byBatch]
    .filter(([, list]) => list.some((w) => w.units > 0n))
    .sort(([a], [b]) => a - b)
    .map(([batch, list]) => ({ batch, work: list.sort((a, b) => a.deviceIndex - b.deviceIndex) }));
}
