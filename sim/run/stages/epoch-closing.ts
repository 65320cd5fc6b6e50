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
}): { closeEpoch(epoch: number): Promise<void>; stats: EpochStat[] } {
  const { ingest, pipeline, shape, logger } = input;
  const stats: EpochStat[] = [];
  const closer = new EpochCloser(input.store, { params: input.params, shape, epochLengthS: input.epochLengthS, devices: input.devices });
  const closeEpoch = async (epoch: number): Promise<void> => {
    await ingest.drain();
    ingest.closeEpoch(epoch);
    const { work, readings, flagged } = closer.close(epoch);
    const batches = assignBatches(work, shape.batchSize);
    stats.push({ epoch, devices: work.length, readings, flagged: flagged.length });
    logger.info(`epoch ${epoch} closed: ${readings} readings from ${work.length} devices, ${flagged.length} flagged → ${batches.length} proof batches`);
    const closedAtMs = input.wallNowMs();
    for (const { batch, work: batchWork } of batches) pipeline.submit(epoch, batch, batchWork, closedAtMs);
  };
  return { closeEpoch, stats };
}
