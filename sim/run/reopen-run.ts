import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import { parseScenario, type Scenario } from '../../scenarios/index.ts';
import { buildCircuit, type CircuitArtifacts } from '../../circuits/index.ts';
import { RunStore } from '../../backend/store/run-store.ts';
import { chainStatePath, defaultCacheDir } from '../paths.ts';
import { setUpChain, type ChainSetup } from '../../backend/chain/chain-client.ts';
import { startChain } from '../chain/start-chain.ts';
import { ruleOf, type Cleanups } from './cleanups.ts';

export interface ReopenOptions {
  rpcUrl?: string;
  operatorKey?: string;
  cacheDir?: string;
  ptauPath?: string;
  logger: Logger;
}

export interface ReopenedRun {
  runDir: string;
  store: RunStore;
  scenario: Scenario;
  shape: ReturnType<typeof ruleOf>['shape'];
  params: ReturnType<typeof ruleOf>['params'];
  artifacts: CircuitArtifacts;
  chain: ChainSetup;
}

/**
 * A finished or stopped run, opened again: its run.db, its scenario, and its chain — the
 * embedded anvil started from the run folder's saved state, or the same `--rpc` chain — with the
 * run's contracts attached. `resume` and `claim` work on it. Each part's stop goes on `cleanups`.
 */
export async function reopenRun(runDirInput: string, options: ReopenOptions, cleanups: Cleanups): Promise<ReopenedRun> {
  const { logger } = options;
  const runDir = resolve(runDirInput);
  const dbPath = join(runDir, 'run.db');
  if (!existsSync(dbPath)) {
    throw new PinbenchError('RESUME_NO_RUN_DB', `${runDir} has no run.db: give the folder of a run (runs/<time>-<scenario>/)`);
  }
  const store = new RunStore(dbPath);
  cleanups.push(() => store.close());
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
  if (chainMeta.embedded && options.rpcUrl === undefined) refuseCutShortState(statePath);
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
  return { runDir, store, scenario, shape, params, artifacts, chain };
}

/**
 * anvil rewrites its state file in place: a save cut short (the disk filled, or anvil was killed
 * outright mid-save) leaves a truncated JSON that anvil refuses with a parser message. Said here
 * in words a user can act on.
 */
function refuseCutShortState(statePath: string): void {
  try {
    JSON.parse(readFileSync(statePath, 'utf8'));
  } catch (cause) {
    throw new PinbenchError(
      'CHAIN_LOST',
      `${statePath} is cut short (${(cause as Error).message}): anvil's last save of the chain did not finish (a full disk, or anvil killed while saving), so the run's contracts and settlements are gone; run the scenario again`,
      { cause },
    );
  }
}
