import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { watchParent, type ParentGoneReason } from '../../core/parent-watchdog.js';
import { isRunning } from '../support/process-tree.ts';

const FAKE_PARENT = fileURLToPath(new URL('../fixtures/watchdog/fake-parent.js', import.meta.url));

/** A fake of `process` as the watchdog reads it: a parent pid to change, an IPC channel to close. */
class FakeProcess extends EventEmitter {
  ppid = 4242;
  connected: boolean | undefined = true;
  send: (() => void) | undefined = () => undefined;
}


describe('watchParent (fake process)', () => {
  it('behavior: the IPC channel closing is reported once, as disconnect', async () => {
    const fake = new FakeProcess();
    const seen: ParentGoneReason[] = [];
    watchParent({ proc: fake, pollMs: 10, onParentGone: (why) => seen.push(why) });
    fake.connected = false;
    fake.emit('disconnect');
    fake.ppid = 1;
    fake.emit('disconnect');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['disconnect']);
    expect(fake.listenerCount('disconnect')).toBe(0);
  });

  it('behavior: without IPC, a parent pid that changed (to init or a subreaper) is reported as reparented', async () => {
    for (const newParent of [1, 777]) {
      const fake = new FakeProcess();
      fake.send = undefined;
      fake.connected = undefined;
      const seen: ParentGoneReason[] = [];
      watchParent({ proc: fake, pollMs: 10, onParentGone: (why) => seen.push(why) });
      fake.ppid = newParent;
      await expect.poll(() => seen).toEqual(['reparented']);
    }
  });

  it('behavior: a channel already closed when watching starts is reported (the parent died during start-up)', async () => {
    const fake = new FakeProcess();
    fake.connected = false;
    const seen: ParentGoneReason[] = [];
    watchParent({ proc: fake, pollMs: 60_000, onParentGone: (why) => seen.push(why) });
    await expect.poll(() => seen).toEqual(['disconnect']);
  });

  it('behavior: a parent pid given by the parent that is not the parent pid now is reported at once (the parent died before the child watched)', async () => {
    const fake = new FakeProcess();
    fake.send = undefined;
    fake.ppid = 1;
    const seen: ParentGoneReason[] = [];
    watchParent({ proc: fake, pollMs: 60_000, parentPid: 4242, onParentGone: (why) => seen.push(why) });
    await expect.poll(() => seen).toEqual(['reparented']);
  });

  it('behavior: once stopped, nothing is reported', async () => {
    const fake = new FakeProcess();
    const seen: ParentGoneReason[] = [];
    const stop = watchParent({ proc: fake, pollMs: 10, onParentGone: (why) => seen.push(why) });
    stop();
    fake.ppid = 1;
    fake.emit('disconnect');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([]);
  });
});

/**
 * Starts the fake parent with one watched child, waits until the child's watchdog is on, kills
 * the fake parent with SIGKILL and gives the child 5 s to die.
 */
async function killFakeParent(mode: 'ipc' | 'poll' | 'thread'): Promise<{ reason: string | undefined; childAlive: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-watchdog-'));
  const reasonFile = join(dir, 'reason');
  const parent = spawn(process.execPath, [FAKE_PARENT, mode, reasonFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const parentExited = new Promise((resolve) => parent.once('exit', resolve));
  let out = '';
  parent.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  try {
    await expect.poll(() => existsSync(`${reasonFile}.ready`), { timeout: 15_000 }).toBe(true);
  } finally {
    if (!existsSync(`${reasonFile}.ready`)) parent.kill('SIGKILL');
  }
  const childPid = Number(out.trim());
  expect(isRunning(childPid)).toBe(true);
  parent.kill('SIGKILL');
  await parentExited;
  const deadline = Date.now() + 5000;
  while (isRunning(childPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const childAlive = isRunning(childPid);
  if (childAlive) process.kill(childPid, 'SIGKILL');
  return { reason: existsSync(reasonFile) ? readFileSync(reasonFile, 'utf8') : undefined, childAlive };
}

describe('watchParent (a real child of a fake parent killed with SIGKILL)', () => {
  it('behavior: a forked child learns of it by its IPC channel closing, and exits', async () => {
    expect(await killFakeParent('ipc')).toEqual({ reason: 'disconnect', childAlive: false });
  }, 30_000);

  it('behavior: a child without IPC learns of it by its parent pid changing, and exits', async () => {
    expect(await killFakeParent('poll')).toEqual({ reason: 'reparented', childAlive: false });
  }, 30_000);

  it('behavior: watchParentFromThread ends a child whose main thread is stuck in a synchronous call', async () => {
    expect(await killFakeParent('thread')).toEqual({ reason: undefined, childAlive: false });
  }, 30_000);
});
