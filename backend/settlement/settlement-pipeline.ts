import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import type { CircuitPolicy, RuleParams, CircuitShape } from '../../core/reward-rule.ts';
import { buildBatchWitness, writeProofArtifacts, type BatchCircuitInput, type BatchProof, type CircuitArtifacts } from '../../circuits/index.ts';
import type { RunStore } from '../store/run-store.ts';
import type { DeviceEpochWork } from '../../core/reward-rule.ts';
import { PinbenchError } from '../../core/errors.ts';
import type { SettleArgs } from '../../contracts/index.ts';
import { ProofJobs, type ProofJob } from '../store/proof-jobs.ts';
import type { BackendEvents, SettledBatch } from '../ports.ts';

export type { SettledBatch } from '../ports.ts';

export interface SettlementPipelineOptions {
  artifacts: CircuitArtifacts;
  shape: CircuitShape;
  params: RuleParams;
  /** The reward policy's per-device part the circuit enforces (circuitPolicyOf); default none. */
  circuitPolicy?: CircuitPolicy;
  store: RunStore;
  proofDir: string;
  logger: Logger;
  /** Proves one batch (a ProverPool's `prove`: prover processes, off the main loop). */
  prove: (input: BatchCircuitInput) => Promise<BatchProof>;
  /** Sends the settlement transaction and waits for it to be mined. */
  settle: (args: SettleArgs) => Promise<{ txHash: string; gasUsed: bigint; calldataBytes: number }>;
  /** Whether the chain already settled a batch (a resumed job may have been mined before a crash). */
  isSettled: (epoch: number, batch: number) => Promise<boolean>;
  /**
   * Jobs held in memory at once (proving or settling); the rest wait in run.db. Default: twice
   * the provers, so the next proofs run while earlier settlements are mined.
   */
  maxActive: number;
  wallNowMs: () => number;
  events?: Pick<BackendEvents, 'batchSettled' | 'batchFailed'>;
}

type Settled = SettledBatch;

/**
 * Proves and settles each batch of each closed epoch. Jobs are written to run.db (`proof_jobs`)
 * when an epoch closes and taken from there with back-pressure (at most `maxActive` in memory),
 * so a restarted process resumes what was left (`pinbench resume`). The prover pool bounds how
 * many are proven together and the chain client sends settlements one after another, so
 * proving the next batch overlaps with settling the last.
 */
export class SettlementPipeline {
  private readonly jobs: ProofJobs;
  private readonly active = new Map<string, Promise<void>>();
  private readonly results: Settled[] = [];
  private readonly failures: string[] = [];
  private cancelled = false;

  constructor(private readonly options: SettlementPipelineOptions) {
    this.jobs = new ProofJobs(options.store.db);
    mkdirSync(options.proofDir, { recursive: true });
    // With the key beside the proofs, `snarkjs groth16 verify` can check any of them.
    copyFileSync(options.artifacts.vkeyPath, join(options.proofDir, 'verification_key.json'));
  }

  /** Jobs being proven or settled now (the rest of the queue waits in run.db). */
  get activeJobs(): number {
    return this.active.size;
  }

  /** Jobs not yet started are left in run.db (used when a run is interrupted). */
  cancel(): void {
    this.cancelled = true;
  }

  /** Queues one batch of a closed epoch: its witness is built (and checked against the rule) now. */
  submit(epoch: number, batch: number, work: readonly DeviceEpochWork[], closedAtMs: number): void {
    const { shape, params, circuitPolicy } = this.options;
    const witness = buildBatchWitness(
      {
        epoch, batch, params, ...(circuitPolicy === undefined ? {} : { policy: circuitPolicy }),
        devices: work.map((w) => ({ deviceIndex: w.deviceIndex, readings: w.readings, ...(w.coverageUnits === undefined ? {} : { coverageUnits: w.coverageUnits }) })),
      },
      shape,
    );
    for (const w of work) {
      const units = witness.units[witness.deviceIndexes.indexOf(w.deviceIndex)];
      if (units !== w.units) {
        throw new PinbenchError('SETTLEMENT_RULE_MISMATCH', `device ${w.deviceIndex}: witness units ${units} differ from the rule's ${w.units}; this is a pinbench bug, please report it`);
      }
    }
    this.jobs.add({ epoch, batch, input: witness.input, work: [...work], closedAtMs });
    this.pump();
  }

  /** Starts the jobs a previous process left in run.db, failed ones included. Returns how many are queued. */
  resume(): number {
    this.jobs.requeueFailed();
    const queued = this.jobs.counts().queued ?? 0;
    this.pump();
    return queued;
  }

  private pump(): void {
    if (this.cancelled) return;
    const taken = this.jobs.take(this.options.maxActive - this.active.size, new Set(this.active.keys()));
    for (const job of taken) {
      const key = `${job.epoch}:${job.batch}`;
      const running = this.runJob(job)
        .catch((error: unknown) => this.fail(job, error))
        .finally(() => {
          this.active.delete(key);
          this.pump();
        });
      this.active.set(key, running);
    }
  }

  private fail(job: ProofJob, error: unknown): void {
    if (this.cancelled) return;
    const { epoch, batch } = job;
    const message = `epoch ${epoch} batch ${batch}: ${(error as Error).message}`;
    this.failures.push(message);
    this.options.events?.batchFailed?.(message);
    this.jobs.failed(epoch, batch, (error as Error).message);
    this.options.store.upsertBatch({
      epoch, batch, status: 'failed', commitment: job.input.commitment, publicSignals: null, proveMs: null,
      txHash: null, gasUsed: null, settleMs: null, error: (error as Error).message,
    });
    this.options.logger.warn(`settlement failed for ${message} (kept in run.db; \`pinbench resume\` retries it)`);
  }

  private async runJob(job: ProofJob): Promise<void> {
    const { store, logger } = this.options;
    const { epoch, batch, input, work } = job;
    if (job.attempts > 1 && (await this.options.isSettled(epoch, batch))) {
      // Mined before the process that sent it stopped: record it, do not send it again.
      this.jobs.settled(epoch, batch);
      this.recordRewards(job);
      logger.info(`epoch ${epoch} batch ${batch}: already settled on chain, recorded`);
      return;
    }
    store.upsertBatch({
      epoch, batch, status: 'proving', commitment: input.commitment, publicSignals: null,
      proveMs: null, txHash: null, gasUsed: null, settleMs: null, error: null,
    });
    const proved = await this.options.prove(input);
    if (this.cancelled) return;
    const name = `epoch-${epoch}-batch-${batch}`;
    await writeProofArtifacts(this.options.proofDir, name, proved.proof, proved.publicSignals);
    const receipt = await this.options.settle({
      proof: proved.proofWords,
      header: BigInt(input.header),
      commitment: BigInt(input.commitment),
      lanes: input.lane.map(BigInt),
    });
    const closeToMinedMs = this.options.wallNowMs() - job.closedAtMs;
    store.upsertBatch({
      epoch, batch, status: 'settled', commitment: input.commitment,
      publicSignals: JSON.stringify(proved.publicSignals), proveMs: proved.proveMs, txHash: receipt.txHash,
      gasUsed: receipt.gasUsed.toString(), settleMs: closeToMinedMs, error: null,
    });
    this.jobs.settled(epoch, batch);
    this.recordRewards(job);
    this.results.push({
      epoch, batch, deviceIndexes: work.map((w) => w.deviceIndex), commitment: input.commitment,
      proveMs: proved.proveMs, gasUsed: receipt.gasUsed.toString(), calldataBytes: receipt.calldataBytes, txHash: receipt.txHash, closeToMinedMs,
      proofFile: join('proofs', `${name}.proof.json`),
    });
    this.options.events?.batchSettled?.(this.results.at(-1)!);
    logger.info(
      `epoch ${epoch} batch ${batch}: proof ${(proved.proveMs / 1000).toFixed(2)} s, settled in ${receipt.txHash.slice(0, 10)}… for ${receipt.gasUsed.toLocaleString('en-US')} gas`,
    );
  }

  private recordRewards({ epoch, batch, work }: ProofJob): void {
    this.options.store.addRewards(
      // w.readings are the K the proof takes: any flagged one sets the lane's flag bit.
      work.map((w) => ({ epoch, batch, deviceIndex: w.deviceIndex, samples: w.readings.length, units: w.units, rewardWei: w.rewardWei, flagged: w.readings.some((r) => r.flagged === true) })),
    );
  }

  /** Waits until no job is queued or active; returns the batches settled by this process and failure messages. */
  async drain(): Promise<{ settled: Settled[]; failures: string[] }> {
    for (;;) {
      this.pump();
      if (this.active.size === 0) break;
      await Promise.all(this.active.values());
    }
    return { settled: [...this.results], failures: [...this.failures] };
  }
}
