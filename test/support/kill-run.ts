import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { testCacheDir } from './cache.ts';

/** What a kill point looks at while the run goes: its run.db (read only) and what it printed so far. */
export interface RunProbe {
  db: Database.Database;
  output: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `pinbench run` on a scenario, polls its run.db and output every 100 ms, and once
 * `killWhen` says so kills the run's process with SIGKILL, as a crash or the OOM killer would:
 * its children notice and stop, anvil saving its state on the way (core/parent-watchdog.js,
 * sim/chain/anvil-guard.js). Resolves with the run folder once the children are gone too.
 * Fails if the point never comes within `timeoutMs`, or the run ended first (it would have
 * nothing left to resume).
 */
export async function runAndKill(input: { outDir: string; name: string; scenario: string; killWhen: (probe: RunProbe) => boolean; timeoutMs?: number }): Promise<string> {
  const file = join(input.outDir, `${input.name}.yaml`);
  writeFileSync(file, input.scenario);
  const child = spawn(process.execPath, ['bin/pinbench.js', 'run', file, '--out', input.outDir, '--cache', testCacheDir], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => void (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => void (output += chunk));
  let ended = false;
  const exited = new Promise((resolve) => child.once('exit', () => resolve((ended = true))));
  try {
    for (let waited = 0; waited < (input.timeoutMs ?? 240_000); waited += 100) {
      await sleep(100);
      if (ended) throw new Error(`the run ended before the kill point:\n${output.slice(-2000)}`);
      const runDir = readdirSync(input.outDir).find((n) => n.endsWith(`-${input.name}`));
      if (runDir === undefined) continue;
      let db: Database.Database;
      try {
        db = new Database(join(input.outDir, runDir, 'run.db'), { readonly: true, fileMustExist: true });
      } catch {
        continue; // not created yet
      }
      try {
        if (input.killWhen({ db, output })) return join(input.outDir, runDir);
      } catch {
        // A table not created yet: not there yet.
      } finally {
        db.close();
      }
    }
    throw new Error(`the kill point did not come within ${(input.timeoutMs ?? 240_000) / 1000} s:\n${output.slice(-2000)}`);
  } finally {
    if (!ended) process.kill(child.pid!, 'SIGKILL');
    await exited;
    // The group's other members (anvil and its guard, provers) stop within a few seconds of the run.
    await waitForGroupGone(child.pid!);
  }
}

/** Until no process of the run's group is left (it leads its own group: detached). */
async function waitForGroupGone(pgid: number): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 100) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  process.kill(-pgid, 'SIGKILL');
  throw new Error(`processes of the killed run (group ${pgid}) were still alive 15 s after the kill`);
}

/** One number from run.db, for kill points. */
export const countOf = (db: Database.Database, sql: string): number => (db.prepare(sql).get() as { n: number }).n;
