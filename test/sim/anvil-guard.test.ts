import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnGuardedAnvil, type GuardedAnvilProcess } from '../../sim/chain/guarded-anvil.ts';
import { isRunning } from '../support/process-tree.ts';

const FAKE_PARENT = fileURLToPath(new URL('../fixtures/watchdog/fake-anvil-parent.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The parent pid of `pid`, from /proc (anvil's is the guard, the guard's the fake parent). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Waits up to 5 s for every pid to be gone; returns those still alive. */
async function aliveAfter5s(pids: readonly number[]): Promise<number[]> {
  const deadline = Date.now() + 5000;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return pids.filter(isRunning);
}

const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const exitOf = (child: GuardedAnvilProcess): Promise<[number | null, NodeJS.Signals | null]> =>
  new Promise((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));

describe('anvil guard', () => {
  it('behavior: when its run is killed with SIGKILL, anvil is ended with SIGTERM, saves its state on the way out, and frees its port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-anvil-guard-'));
    const statePath = join(dir, 'chain-state.json');
    const parent = spawn(process.execPath, ['--import', TSX, FAKE_PARENT, statePath], { stdio: ['ignore', 'pipe', 'inherit'] });
    const parentExited = new Promise((resolve) => parent.once('exit', resolve));
    let out = '';
    parent.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    try {
      await expect.poll(() => out.includes('\n'), { timeout: 30_000 }).toBe(true);
    } finally {
      if (!out.includes('\n')) parent.kill('SIGKILL');
    }
    const { pid, port } = JSON.parse(out) as { pid: number; port: number };
    const guardPid = parentOf(pid);
    try {
      expect(parentOf(guardPid)).toBe(parent.pid);
      expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('anvil');
      // Saved every hour only: a state file can only come from anvil's exit.
      expect(existsSync(statePath)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
    await parentExited;
    expect(await aliveAfter5s([guardPid, pid])).toEqual([]);
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { block: { number: string } };
    expect(state.block.number).toBe('0x1');
    expect(await portFree(port)).toBe(true);
  }, 60_000);

  // A shell stands in for the anvil binary below: the guard runs whatever it is given.
  it('behavior: the exit code and output of what it guards pass through; pid is the guarded program’s own', async () => {
    const child = spawnGuardedAnvil('/bin/sh', ['-c', 'echo listening; echo warning >&2; exit 7']);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const spawned = new Promise<number | undefined>((resolve) => child.once('spawn', () => resolve(child.pid)));
    expect(await exitOf(child)).toEqual([7, null]);
    expect(await spawned).not.toBe(child.guardPid);
    expect([child.exitCode, child.signalCode]).toEqual([7, null]);
    expect(stdout).toBe('listening\n');
    expect(stderr).toBe('warning\n');
  }, 30_000);

  it('behavior: kill signals the guarded program itself, and its signal is the exit reported; the guard goes with it', async () => {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const child = spawnGuardedAnvil('/bin/sleep', ['30']);
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim()).toBe('sleep');
      const exited = exitOf(child);
      expect(child.kill(signal)).toBe(true);
      expect(await exited).toEqual([null, signal]);
      expect(isRunning(child.guardPid!)).toBe(false);
      expect(child.kill(signal)).toBe(false);
    }
  }, 30_000);

  it('behavior: a guard killed on its own takes the guarded program with it', async () => {
    const child = spawnGuardedAnvil('/bin/sleep', ['30']);
    await new Promise((resolve) => child.once('spawn', resolve));
    const sleepPid = child.pid!;
    const exited = exitOf(child);
    process.kill(child.guardPid!, 'SIGKILL');
    expect(await exited).toEqual([null, 'SIGKILL']);
    expect(await aliveAfter5s([sleepPid])).toEqual([]);
  }, 30_000);

  it('error: a binary that cannot be started is an error with its code, then an exit', async () => {
    const child = spawnGuardedAnvil('/nonexistent/anvil', []);
    const error = await new Promise<Error & { code?: string }>((resolve) => child.once('error', resolve));
    expect(error.code).toBe('ENOENT');
    expect(error.message).toBe('spawn /nonexistent/anvil ENOENT');
    expect(child.pid).toBeUndefined();
    expect(await exitOf(child)).toEqual([1, null]);
  }, 30_000);
});
