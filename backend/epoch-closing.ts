import type { Logger } from '../core/ports.ts';
import type { CircuitShape, RuleParams } from '../core/reward-rule.ts';
import type { RunStore } from './store/run-store.ts';
import type { Ingest } from './ingest/ingest.ts';
import { EpochCloser, type DeviceMeta } from './epochs/close-epoch.ts';
import { BatchAssembler, type ProofBatch } from './epochs/assign-batches.ts';
import type { DeviceEpochWork } from '../core/reward-rule.ts';
import type { SettlementPipeline } from './settlement/settlement-pipeline.ts';
import type { BackendEvents } from './ports.ts';
import { recordEpochClosed } from './epochs/close-records.ts';
import { isProRata, type RewardPolicy } from '../core/reward-policy/index.ts';
import { priceEpoch, pricesWholeEpoch } from './epochs/price-epoch.ts';
import { recordEpochBook, type EpochBook } from './epochs/epoch-books.ts';

export type { EpochStat } from './ports.ts';

/** A close that takes longer than this says how far it got, this often. */
const CLOSE_PROGRESS_EVERY_MS = 5_000;

/**
 * Closing one epoch: what arrived before the close is finalized first and later arrivals are
 * refused; the epoch is summarized a page of devices at a time, with progress logged every 5 s
 * on a long close; each batch that earns anything becomes a proof job as soon as its devices are
 * summarized, so proving overlaps the rest of the close (a 24-hour epoch of 1,000 trackers takes
 * ~25–30 s to summarize, most of it reading 2.88 million signed packages back from run.db).
 */
export function createEpochClosing(input: {
  store: RunStore;
  /** Absent in `pinbench resume`: no ingest runs, and what run.db holds is all there is. */
  ingest?: Pick<Ingest, 'drain' | 'closeEpoch'>;
  pipeline: SettlementPipeline;
  shape: CircuitShape;
  params: RuleParams;
  /**
   * The reward policy (core/reward-policy/); absent: today's rule, which the close's own
   * summary already applies. A pro-rata policy needs `openEpoch`.
   */
  policy?: RewardPolicy;
  /** Declares a pro-rata epoch's total units and batches on chain before its first settle (idempotent). */
  openEpoch?: (book: EpochBook) => Promise<void>;
  epochLengthS: number;
  devices: () => ReadonlyMap<string, DeviceMeta>;
  /** Rejections up to this rejections.id were counted by earlier closes (resume). */
  rejectionCursor?: number;
  wallNowMs: () => number;
  logger: Logger;
  events?: Pick<BackendEvents, 'epochClosed'>;
}): { closeEpoch(epoch: number): Promise<void>; closeWork(): number; idle(): Promise<void> } {
  const { ingest, pipeline, shape, logger } = input;
  // Slice waits see a close as progress while it moves: 0 with no close running, otherwise a
  // number that changes with every page summarized and every batch submitted.
  let running = 0;
  let steps = 0;
  const closing = new Set<Promise<void>>();
  const closer = new EpochCloser(input.store, {
    params: input.params, shape, epochLengthS: input.epochLengthS, devices: input.devices, rejectionCursor: input.rejectionCursor,
  });
  const close = async (epoch: number): Promise<void> => {
    running += 1;
    try {
      await closeOnce(epoch);
    } finally {
      running -= 1;
    }
  };
  const closeOnce = async (epoch: number): Promise<void> => {
    await ingest?.drain();
    ingest?.closeEpoch(epoch);
    // Close → mined latencies count from here: the summary is part of the wait for a payout.
    const startedMs = input.wallNowMs();
    let loggedMs = startedMs;
    const assembler = new BatchAssembler<DeviceEpochWork>(shape.batchSize);
    const ready: Array<ProofBatch<DeviceEpochWork>> = [];
    let submitted = 0;
    const submitReady = () =>
      submitYielding(ready.splice(0), ({ batch, work }) => {
        pipeline.submit(epoch, batch, work, startedMs);
        submitted += 1;
        steps += 1;
      });
    const { policy } = input;
    const whole = policy !== undefined && pricesWholeEpoch(policy);
    // A batch is proven as soon as the stream has passed its devices, while the close goes on,
    // unless the policy prices a device by its whole epoch: then every batch waits for the end.
    const { work: summarized, readings, flagged } = await closer.close(epoch, {
      work: (w) => {
        if (whole) return;
        const done = assembler.add(policy === undefined ? w : priceEpoch(policy, epoch, [w], shape.readingsPerDevice).work[0]!);
        if (done !== undefined) ready.push(done);
      },
      page: async (progress) => {
        steps += 1;
        await submitReady();
        const nowMs = input.wallNowMs();
        if (nowMs - loggedMs < CLOSE_PROGRESS_EVERY_MS) return;
        loggedMs = nowMs;
        logger.info(`epoch ${epoch} closing: ${progress.readings.toLocaleString('en-US')} readings of ${progress.devices.toLocaleString('en-US')} devices summarized, ${submitted} proof jobs queued (${((nowMs - startedMs) / 1000).toFixed(0)} s)`);
      },
    });
    const priced = whole ? priceEpoch(policy, epoch, summarized, shape.readingsPerDevice) : undefined;
    const work = priced?.work ?? summarized;
    for (const w of priced?.work ?? []) {
      const done = assembler.add(w);
      if (done !== undefined) ready.push(done);
    }
    const last = assembler.finish();
    if (last !== undefined) ready.push(last);
    if (priced !== undefined) {
      const book: EpochBook = { epoch, totalUnits: priced.totalUnits, batches: ready.length, emissionWei: priced.emissionWei, dustWei: priced.dustWei };
      recordEpochBook(input.store, book);
      if (isProRata(policy!) && ready.length > 0) {
        if (input.openEpoch === undefined) throw new Error('a pro-rata policy needs openEpoch: this is a pinbench bug, please report it');
        await input.openEpoch(book);
        logger.info(`epoch ${epoch} opened on chain: ${book.totalUnits} units in ${book.batches} batches share ${book.emissionWei} wei`);
      }
    }
    input.events?.epochClosed?.({ epoch, devices: work.length, readings, flagged: flagged.length });
    logger.info(`epoch ${epoch} closed: ${readings} readings from ${work.length} devices, ${flagged.length} flagged → ${submitted + ready.length} proof batches`);
    await submitReady();
    // Only now is every batch of the epoch a proof job: a run stopped before this closes it again on resume.
    recordEpochClosed(input.store, { epoch, devices: work.length, readings, flagged: flagged.length, rejectionCursor: closer.countedRejections });
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
