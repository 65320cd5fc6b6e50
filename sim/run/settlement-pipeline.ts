import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import type { RuleParams, CircuitShape } from '../../core/reward-rule.ts';
import { buildBatchWitness, writeProofArtifacts, type BatchCircuitInput, type BatchProof, type CircuitArtifacts } from '../../circuits/index.ts';
import type { RunStore } from '../store/run-store.ts';
import type { DeviceEpochWork } from '../epochs/summarize.ts';
import { PinbenchError } from '../../core/errors.ts';
import type { BatchReport } from '../../reports/types.ts';
import type { SettleArgs } from '../../contracts/index.ts';

export interface SettlementPipelineOptions {
  artifacts: CircuitArtifacts;
  shape: CircuitShape;
  params: RuleParams;
  store: RunStore;
  proofDir: string;
  logger: Logger;
  /** Proves one batch (a ProverPool's `prove`: worker threads, off the main loop). */
  prove: (input: BatchCircuitInput) => Promise<BatchProof>;
  /** Sends the settlement transaction and waits for it to be mined. */
  settle: (args: SettleArgs) => Promise<{ txHash: string; gasUsed: bigint }>;
  wallNowMs: () => number;
}

/**
 * Proves and settles each batch of each closed epoch. Every batch starts at once; the prover
 * pool bounds how many are proven together (it is sized not to oversubscribe the cores) and the
 * chain client sends settlements one after another, so proving the next batch overlaps with
 * settling the last.
 */
export class SettlementPipeline {
  private readonly jobs = new Set<Promise<void>>();
  private readonly results: Array<BatchReport & { epoch: number }> = [];
  private readonly failures: string[] = [];
  private cancelled = false;

  constructor(private readonly options: SettlementPipelineOptions) {
    mkdirSync(options.proofDir, { recursive: true });
    // With the key beside the proofs, `snarkjs groth16 verify` can check any of them.
    copyFileSync(options.artifacts.vkeyPath, join(options.proofDir, 'verification_key.json'));
  }

  /** Jobs not yet started are skipped (used when a run is interrupted). */
  cancel(): void {
    this.cancelled = true;
  }

  submit(epoch: number, batch: number, work: readonly DeviceEpochWork[], closedAtMs: number): void {
    const job: Promise<void> = this.runJob(epoch, batch, work, closedAtMs)
      .catch((error: unknown) => {
        if (this.cancelled) return;
        const message = `epoch ${epoch} batch ${batch}: ${(error as Error).message}`;
        this.failures.push(message);
        this.options.store.upsertBatch({
          epoch, batch, status: 'failed', commitment: null, publicSignals: null, proveMs: null,
          txHash: null, gasUsed: null, settleMs: null, error: (error as Error).message,
        });
        this.options.logger.warn(`settlement failed for ${message}`);
      })
      .finally(() => this.jobs.delete(job));
    this.jobs.add(job);
  }

  private async runJob(epoch: number, batch: number, work: readonly DeviceEpochWork[], closedAtMs: number): Promise<void> {
    const { shape, params, store, logger } = this.options;
    const witness = buildBatchWitness(
      { epoch, batch, params, devices: work.map((w) => ({ deviceIndex: w.deviceIndex, readings: w.readings })) },
      shape,
    );
    work.forEach((w, i) => {
      if (witness.units[i] !== w.units) {
        throw new PinbenchError('E_RULE_MISMATCH', `device ${w.deviceIndex}: witness units ${witness.units[i]} differ from the rule's ${w.units}; this is a pinbench bug, please report it`);
      }
    });
    store.upsertBatch({
      epoch, batch, status: 'proving', commitment: witness.commitment.toString(), publicSignals: null,
      proveMs: null, txHash: null, gasUsed: null, settleMs: null, error: null,
    });
    const proved = await this.options.prove(witness.input);
    if (this.cancelled) return;
    const name = `epoch-${epoch}-batch-${batch}`;
    await writeProofArtifacts(this.options.proofDir, name, proved.proof, proved.publicSignals);
    const receipt = await this.options.settle({
      epoch: BigInt(epoch),
      batch: BigInt(batch),
      commitment: witness.commitment,
      a: proved.calldata.a,
      b: proved.calldata.b,
      c: proved.calldata.c,
      slots: witness.slots,
    });
    const closeToMinedMs = this.options.wallNowMs() - closedAtMs;
    store.upsertBatch({
      epoch, batch, status: 'settled', commitment: witness.commitment.toString(),
      publicSignals: JSON.stringify(proved.publicSignals), proveMs: proved.proveMs, txHash: receipt.txHash,
      gasUsed: receipt.gasUsed.toString(), settleMs: closeToMinedMs, error: null,
    });
    store.addRewards(
      work.map((w) => ({ epoch, batch, deviceIndex: w.deviceIndex, samples: w.readings.length, units: w.units, rewardWei: w.rewardWei })),
    );
    this.results.push({
      epoch, batch, deviceIndexes: work.map((w) => w.deviceIndex), commitment: witness.commitment.toString(),
      proveMs: proved.proveMs, gasUsed: receipt.gasUsed.toString(), txHash: receipt.txHash, closeToMinedMs,
      proofFile: join('proofs', `${name}.proof.json`),
    });
    logger.info(
      `epoch ${epoch} batch ${batch}: proof ${(proved.proveMs / 1000).toFixed(2)} s, settled in ${receipt.txHash.slice(0, 10)}… for ${receipt.gasUsed.toLocaleString('en-US')} gas`,
    );
  }

  /** Waits for every submitted job; returns settled batches and failure messages. */
  async drain(): Promise<{ settled: Array<BatchReport & { epoch: number }>; failures: string[] }> {
    while (this.jobs.size > 0) await Promise.all(this.jobs);
    return { settled: [...this.results], failures: [...this.failures] };
  }
}
