import { existsSync, renameSync } from 'node:fs';
import { runPolicyOf } from './run-policy.ts';
import { circuitPolicyOf, isProRata } from '../../core/reward-policy/index.ts';
import type { EpochBook } from '../../backend/epochs/epoch-books.ts';
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
import type { ChainSetup } from '../../backend/chain/chain-client.ts';
import { chainChecks } from './checks.ts';
import { closeOpenEpochs } from './resume-epochs.ts';
import { buildResumeReport } from './resume-report.ts';
import { writeReport, type RunOutcome } from './write-report.ts';
import { renderResumeMarkdown } from '../../reports/resume-markdown.ts';
import type { ResumeReport } from '../../reports/types.ts';

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
  /** Epochs that were open when the run stopped, closed by the resume (their jobs are in `settled`, not `owed`). */
  epochsClosed: number[];
  settled: number;
  failures: string[];
  claims: ClaimSummary | undefined;
  /** The resumed run's report (report.json, report.md), its verdict and exit code; undefined with `claim: false`, whose checks could not hold yet. */
  outcome: RunOutcome<ResumeReport> | undefined;
}

/**
 * Finishes a run whose process stopped (a crash, a kill, a machine restart) from its run.db:
 * starts the run's chain again (the embedded anvil from the run folder's state, or the same
 * `--rpc`), re-checks every job against the chain — one recorded as settled but missing there
 * (the chain's last save predates it) is owed again — closes every epoch that was open with the
 * readings run.db holds, proves and settles what is owed, lets the owners claim, and writes the
 * report (marked resumed, saying what the stop cut short). A report the run wrote itself is
 * kept as report.before-resume.json/md.
 */
export async function resumeRun(runDirInput: string, options: ResumeOptions = {}): Promise<ResumeResult> {
  const logger = options.logger ?? silentLogger;
  const cleanups: Cleanups = [];
  try {
    const { runDir, store, scenario, shape, params, artifacts, chain } = await reopenRun(runDirInput, { ...options, logger }, cleanups);
    const policy = runPolicyOf(scenario);

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
      artifacts, shape, params, ...(policy === undefined ? {} : { circuitPolicy: circuitPolicyOf(policy) }), store, proofDir: join(runDir, 'proofs'), logger,
      wallNowMs: () => performance.timeOrigin + performance.now(),
      prove: (input) => prover.prove(input),
      settle: (args) => chain.settle(args),
      isSettled: (epoch, batch) => chain.isSettled(epoch, batch),
      maxActive: 2 * prover.size,
    });
    const owed = pipeline.resume();
    logger.info(`resuming ${runDir}: ${owed} proof jobs owed`);
    const epochsClosed = await closeOpenEpochs({
      store, scenario, shape, params, ...(policy === undefined ? {} : { policy, openEpoch: (book: EpochBook) => chain.openEpoch(book) }), pipeline, logger,
    });
    const { settled, failures } = await pipeline.drain();
    store.flush();
    const ownerKeys = ownerKeysOf(store, scenario.seed);
    // Owners the seed does not give are attached devices' owners: they claim for themselves.
    const owners = (store.db.prepare('SELECT DISTINCT owner FROM devices').all() as Array<{ owner: string }>).map((r) => r.owner.toLowerCase());
    const ownersClaimingThemselves = new Set(owners.filter((o) => !ownerKeys.has(o)));
    // A run stopped during its claims left some owners paid already: their claims count in the accrual check.
    const claimedBefore = await claimedUnitsByOwner(chain);
    const claims = options.claim === false ? undefined : await claimAllRewards({ chain, store, ownerKeys, ownersClaimingThemselves, logger });
    const resumedAt = new Date();
    store.setMeta('resumed_at', resumedAt.toISOString());
    const result = { owed, epochsClosed: epochsClosed.map((e) => e.epoch), settled: settled.length, failures, claims };
    if (claims === undefined) return { ...result, outcome: undefined };
    const checks = await chainChecks({
      store, chain, settled: settled.length, failures, claims, claimedBefore, proRata: policy !== undefined && isProRata(policy),
      ...(policy?.stake === undefined ? {} : { stake: policy.stake }),
    });
    const report = buildResumeReport({
      scenario, runDir, store, chain, resumedAt, previousReport: keepPreviousReport(runDir), epochsClosed, jobsOwed: owed, lostOnChain: lost, claims, checks,
    });
    return { ...result, outcome: writeReport(runDir, report, renderResumeMarkdown) };
  } finally {
    await runCleanups(cleanups, logger);
    await shutdownProver();
  }
}

/** Units claimed so far per owner (lowercase), from the settlement contract's Claimed events. */
async function claimedUnitsByOwner(chain: ChainSetup): Promise<Map<string, bigint>> {
  const { settlement } = chain.contracts;
  const logs = await settlement.queryFilter(settlement.filters.Claimed!(), 0, 'latest');
  const byOwner = new Map<string, bigint>();
  for (const log of logs) {
    if (!('args' in log)) continue;
    const owner = (log.args[0] as string).toLowerCase();
    byOwner.set(owner, (byOwner.get(owner) ?? 0n) + (log.args[1] as bigint));
  }
  return byOwner;
}

/** A report the run wrote before it stopped is not overwritten: it moves aside, and the resumed report names it. */
function keepPreviousReport(runDir: string): string | null {
  if (!existsSync(join(runDir, 'report.json'))) return null;
  for (const ext of ['json', 'md']) {
    const from = join(runDir, `report.${ext}`);
    if (existsSync(from)) renameSync(from, join(runDir, `report.before-resume.${ext}`));
  }
  return 'report.before-resume.json';
}
