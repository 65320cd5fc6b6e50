import { homedir } from 'node:os';
import { join } from 'node:path';

/** Circuit and contract artifacts are cached outside the repository, keyed by source hash. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PINBENCH_CACHE) return env.PINBENCH_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'pinbench');
  return join(homedir(), '.cache', 'pinbench');
}

/** `runs/2026-11-25T02-40-00-123Z-smoke`: sortable, unique per start, safe on every filesystem. */
export function runFolderName(startedAt: Date, scenarioName: string): string {
  return `${startedAt.toISOString().replace(/[:.]/g, '-')}-${scenarioName}`;
}

/**
 * The embedded chain's state inside a run folder: anvil writes it every few seconds and on exit,
 * and `pinbench resume` (or `anvil --load-state`) starts the same chain from it.
 */
export function chainStatePath(runDir: string): string {
  return join(runDir, 'chain-state.json');
}

/**
 * What pinbench keeps between runs that is not a cache: the local certificate authority
 * (`ca/`) and the devices `pinbench device add` provisioned (`devices/`). Deleting it revokes
 * every issued certificate and password.
 */
export function defaultHomeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PINBENCH_HOME) return env.PINBENCH_HOME;
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'pinbench');
  return join(homedir(), '.local', 'share', 'pinbench');
}
