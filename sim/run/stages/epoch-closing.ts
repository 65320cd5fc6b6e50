import type { Logger } from '../../../core/ports.ts';
import type { CircuitShape, RuleParams } from '../../../core/reward-rule.ts';
import type { RunStore } from '../../store/run-store.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import { EpochCloser, type DeviceMeta } from '../../epochs/close-epoch.ts';
import { assignBatches } from '../../epochs/assign-batches.ts';
import type { SettlementPipeline } from '../settlement-pipeline.ts';

export interface EpochStat {
  epoch: number;
  devices: number;
  readings: number;
  flagged: number;
}

/**
 * Closing one epoch: what arrived before the close is finalized first and later arrivals are
 * refused; the epoch is summarized device by device; each batch that earns anything becomes a
 * proof job.
 */
export function createEpochClosing(input: {
  store: RunStore;
  ingest: Ingest;
  pipeline: SettlementPipeline;
  shape: CircuitShape;
  params: RuleParams;
  epochLengthS: number;
  devices: () => ReadonlyMap<string, DeviceMeta>;
  wallNowMs: () => number;
  logger: Logger;
}): { closeEpoch(epoch: number): Promise<void>; stats: EpochStat[]; batchesToSubmit(): number; idle(): Promise<void> } {
  const { ingest, pipeline, shape, logger } = input;
  const stats: EpochStat[] = [];
  let batchesToSubmit = 0;
  const closing = new Set<Promise<void>>();
  const closer = new EpochCloser(input.store, { params: input.params, shape, epochLengthS: input.epochLengthS, devices: input.devices });
  const close = async (epoch: number): Promise<void> => {
    await ingest.drain();
    ingest.closeEpoch(epoch);
    const { work, readings, flagged } = closer.close(epoch);
    const batches = assignBatches(work, shape.batchSize);
    stats.push({ epoch, devices: work.length, readings, flagged: flagged.length });
    logger.info(`epoch ${epoch} closed: ${readings} readings from ${work.length} devices, ${flagged.length} flagged → ${batches.length} proof batches`);
    const closedAtMs = input.wallNowMs();
    let left = batches.length;
    batchesToSubmit += left;
    try {
      await submitYielding(batches, ({ batch, work: batchWork }) => {
        pipeline.submit(epoch, batch, batchWork, closedAtMs);
        left -= 1;
        batchesToSubmit -= 1;
      });
    } finally {
      // A close that failed part-way leaves nothing for the slice waits to wait for.
      batchesToSubmit -= left;
    }
  };
  const closeEpoch = (epoch: number): Promise<void> => {
    const running = close(epoch);
    const done = running.then(
      () => undefined,
      () => undefined,
    );
    closing.add(done);
    void done.then(() => closing.delete(done));
    return running;
  };
  return {
    closeEpoch,
    stats,
    batchesToSubmit: () => batchesToSubmit,
    // An interrupted run waits for a close under way, so every batch it made is a job in run.db.
    idle: async () => {
      await Promise.all([...closing]);
    },
  };
}

/**
 * Submits one batch after another and lets the event loop run between them. Each witness is
 * ~60 ms of Poseidon hashing on this thread: built in one go, city-10k's 313 batches held the
 * loop for ~25 s, and no proof came back, no settlement was sent and no progress was logged
 * until the last one was built.
 */
export async function submitYielding<T>(batches: readonly T[], submit: (batch: T) => void): Promise<void> {
  for (const batch of batches) {
    submit(batch);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
