import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import { parseScenario } from '../../scenarios/index.ts';
import { deriveOwnerAccount } from '../../devices/index.ts';
import { buildCircuit, ProverPool, shutdownProver } from '../../circuits/index.ts';
import { RunStore } from '../../backend/store/run-store.ts';
import { ProofJobs } from '../../backend/store/proof-jobs.ts';
import { chainStatePath, defaultCacheDir } from '../paths.ts';
import { setUpChain, type ChainSetup } from '../../backend/chain/chain-client.ts';
import { startChain } from '../chain/start-chain.ts';
import { SettlementPipeline } from '../../backend/settlement/settlement-pipeline.ts';
import { runCleanups, ruleOf, type Cleanups } from './cleanups.ts';
import { claimAllRewards, type ClaimSummary } from './claims.ts';

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
  const runDir = resolve(runDirInput);
  const logger = options.logger ?? silentLogger;
  const dbPath = join(runDir, 'run.db');
  if (!existsSync(dbPath)) {
    throw new PinbenchError('RESUME_NO_RUN_DB', `${runDir} has no run.db: give the folder of a run (runs/<time>-<scenario>/)`);
  }
  const store = new RunStore(dbPath);
  const cleanups: Cleanups = [() => store.close()];
  try {
    const metaOf = (key: string): string => {
      const row = store.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
      if (row === undefined) throw new PinbenchError('RESUME_NOTHING_TO_RESUME', `${dbPath} has no ${key} record: the run stopped before its chain was set up, so there is nothing to resume; run the scenario again`);
      return row.value;
    };
    const scenario = parseScenario(JSON.parse(metaOf('scenario')), `${dbPath} (scenario)`);
    const chainMeta = JSON.parse(metaOf('chain')) as { embedded: boolean; rpcUrl: string; addresses: ChainSetup['addresses'] };
    const cacheDir = options.cacheDir ?? defaultCacheDir();
    const { shape, params } = ruleOf(scenario);

    const statePath = chainStatePath(runDir);
    if (chainMeta.embedded && options.rpcUrl === undefined && !existsSync(statePath)) {
      throw new PinbenchError('CHAIN_LOST', `the run used the embedded chain but ${statePath} is missing, so its contracts are gone; nothing can be settled`);
    }
    const artifacts = await buildCircuit({ cacheDir, ...shape, ptauPath: options.ptauPath, logger });
    const chainStart = await startChain({
      rpcUrl: options.rpcUrl ?? (chainMeta.embedded ? undefined : chainMeta.rpcUrl),
      operatorKey: options.operatorKey,
      logger,
      statePath: chainMeta.embedded ? statePath : undefined,
    });
    cleanups.push(() => chainStart.stop());
    const chain = await setUpChain.attach(chainStart, { cacheDir, verifierSolPath: artifacts.verifierSolPath, addresses: chainMeta.addresses, logger });
    cleanups.push(() => chain.close());

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
    const claims = options.claim === false ? undefined : await claimAllRewards({ chain, store, ownerKeys: ownerKeysOf(store, scenario.seed), logger });
    store.setMeta('resumed_at', new Date().toISOString());
    return { owed, settled: settled.length, failures, claims };
  } finally {
    await runCleanups(cleanups, logger);
    await shutdownProver();
  }
}
