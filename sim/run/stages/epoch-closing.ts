import type { Logger } from '../../../core/ports.ts';
import type { CircuitShape, RuleParams } from '../../../core/reward-rule.ts';
import type { RunStore } from '../../store/run-store.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import { EpochCloser, type DeviceMeta } from '../../epochs/close-epoch.ts';
import { assignBatches } from '../../epochs/assign-batches.ts';
import type { SettlementPipeline } from '../settlement-pipeline.ts';

/** A close that takes longer than this says how far it got, this often. */
const CLOSE_PROGRESS_EVERY_MS = 5_000;

export interface EpochStat {
  epoch: number;
  devices: number;
  readings: number;
  flagged: number;
}

/**
 * Closing one epoch: what arrived before the close is finalized first and later arrivals are
 * refused; the epoch is summarized a page of devices at a time, with progress logged every 5 s
 * on a long close; each batch that earns anything becomes a proof job.
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
}): { closeEpoch(epoch: number): Promise<void>; stats: EpochStat[]; closeWork(): number; idle(): Promise<void> } {
  const { ingest, pipeline, shape, logger } = input;
  const stats: EpochStat[] = [];
  // Slice waits see a close as progress while it moves: 0 with no close running, otherwise a
  // number that changes with every page summarized and every batch submitted.
  let running = 0;
  let steps = 0;
  const closing = new Set<Promise<void>>();
  const closer = new EpochCloser(input.store, { params: input.params, shape, epochLengthS: input.epochLengthS, devices: input.devices });
  const close = async (epoch: number): Promise<void> => {
    running += 1;
    try {
      await closeOnce(epoch);
    } finally {
      running -= 1;
    }
  };
  const closeOnce = async (epoch: number): Promise<void> => {
    await ingest.drain();
    ingest.closeEpoch(epoch);
    const startedMs = input.wallNowMs();
    let loggedMs = startedMs;
    const { work, readings, flagged } = await closer.close(epoch, (progress) => {
      steps += 1;
      const nowMs = input.wallNowMs();
      if (nowMs - loggedMs < CLOSE_PROGRESS_EVERY_MS) return;
      loggedMs = nowMs;
      logger.info(`epoch ${epoch} closing: ${progress.readings.toLocaleString('en-US')} readings of ${progress.devices.toLocaleString('en-US')} devices summarized (${((nowMs - startedMs) / 1000).toFixed(0)} s)`);
    });
    const batches = assignBatches(work, shape.batchSize);
    stats.push({ epoch, devices: work.length, readings, flagged: flagged.length });
    logger.info(`epoch ${epoch} closed: ${readings} readings from ${work.length} devices, ${flagged.length} flagged → ${batches.length} proof batches`);
    const closedAtMs = input.wallNowMs();
    await submitYielding(batches, ({ batch, work: batchWork }) => {
      pipeline.submit(epoch, batch, batchWork, closedAtMs);
      steps += 1;
    });
  };
  const closeEpoch = (epoch: number): Promise<void> => {
    const closed = close(epoch);
    const done = closed.then(
      () => undefined,
      () => undefined,
    );
    closing.add(done);
    void done.then(() => closing.delete(done));
    return closed;
  };
  return {
    closeEpoch,
    stats,
    closeWork: () => (running === 0 ? 0 : running + steps),
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
