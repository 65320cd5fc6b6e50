import { join } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { deriveOwnerAccount } from '../../devices/index.ts';
import { ProverPool, shutdownProver } from '../../circuits/index.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import { ProofJobs } from '../../backend/store/proof-jobs.ts';
import { SettlementPipeline } from '../../backend/settlement/settlement-pipeline.ts';
import { runCleanups, type Cleanups } from './cleanups.ts';
import { claimAllRewards, type ClaimSummary } from './claims.ts';
import { reopenRun } from './reopen-run.ts';

export interface ResumeOptions {
  rpcUrl?: string;
  operatorKey?: string;
  cacheDir?: string;
  ptauPath?: string;
  logger?: Logger;
  /** Let the owners claim at the end (their keys follow from the scenario's seed); default true. */
  claim?: boolean;
}

/** The fleet's owner accounts are derived from the seed by fleet position (devices/identity.ts). */
function ownerKeysOf(store: RunStore, seed: number): Map<string, string> {
  const { n } = store.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number };
  const keys = new Map<string, string>();
  for (let index = 0; index < n; index++) {
    const owner = deriveOwnerAccount(seed, index);
    keys.set(owner.address.toLowerCase(), owner.privateKey);
  }
  return keys;
}

export interface ResumeResult {
  /** Jobs found owed in run.db (queued, failed, or marked settled but missing on chain). */
  owed: number;
  settled: number;
  failures: string[];
  claims: ClaimSummary | undefined;
}

/**
 * Finishes the proof jobs a run left in its run.db when its process stopped (a crash, a kill,
 * a machine restart): starts the run's chain again (the embedded anvil from the run folder's
 * state, or the same `--rpc`), re-checks every job against the chain — one recorded as settled
 * but missing there (the chain's last save predates it) is owed again — then proves and settles
 * what is owed and, given the owners' keys, lets the owners claim.
 */
export async function resumeRun(runDirInput: string, options: ResumeOptions = {}): Promise<ResumeResult> {
  const logger = options.logger ?? silentLogger;
  const cleanups: Cleanups = [];
  try {
    const { runDir, store, scenario, shape, params, artifacts, chain } = await reopenRun(runDirInput, { ...options, logger }, cleanups);

    const jobs = new ProofJobs(store.db);
    let lost = 0;
    for (const { epoch, batch } of jobs.list('settled')) {
      if (!(await chain.isSettled(epoch, batch))) {
        jobs.requeue(epoch, batch);
        lost += 1;
      }
    }
    if (lost > 0) logger.warn(`${lost} batches recorded as settled are not on the chain (saved before they were mined): settling them again`);

    const prover = new ProverPool({ artifacts, logger });
    cleanups.push(() => prover.close());
    const pipeline = new SettlementPipeline({
      artifacts, shape, params, store, proofDir: join(runDir, 'proofs'), logger,
      wallNowMs: () => performance.timeOrigin + performance.now(),
      prove: (input) => prover.prove(input),
      settle: (args) => chain.settle(args),
      isSettled: (epoch, batch) => chain.isSettled(epoch, batch),
      maxActive: 2 * prover.size,
    });
    const owed = pipeline.resume();
    logger.info(`resuming ${runDir}: ${owed} proof jobs owed`);
    const { settled, failures } = await pipeline.drain();
    store.flush();
    const ownerKeys = ownerKeysOf(store, scenario.seed);
    // Owners the seed does not give are attached devices' owners: they claim for themselves.
    const owners = (store.db.prepare('SELECT DISTINCT owner FROM devices').all() as Array<{ owner: string }>).map((r) => r.owner.toLowerCase());
    const ownersClaimingThemselves = new Set(owners.filter((o) => !ownerKeys.has(o)));
    const claims = options.claim === false ? undefined : await claimAllRewards({ chain, store, ownerKeys, ownersClaimingThemselves, logger });
    store.setMeta('resumed_at', new Date().toISOString());
    return { owed, settled: settled.length, failures, claims };
  } finally {
    await runCleanups(cleanups, logger);
    await shutdownProver();
  }
}
