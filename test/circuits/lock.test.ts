import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/ports.ts';
import { acquireDirLock } from '../../circuits/lock.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'pinbench-lock-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const opts = { what: 'test artifact', timeoutMs: 5_000, pollMs: 20, logger: silentLogger };

describe('acquireDirLock', () => {
  it('behavior: a second holder waits until the first releases', async () => {
    const lockDir = path.join(root, 'x.lock');
    const first = await acquireDirLock(lockDir, opts);
    const order: string[] = [];
    const second = acquireDirLock(lockDir, opts).then((l) => {
      order.push('second acquired');
      return l;
    });
    await new Promise((r) => setTimeout(r, 100));
    order.push('first releases');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['first releases', 'second acquired']);
    expect(await readdir(root)).toEqual([]);
  });

  it('behavior: breaks a lock whose holder process is gone', async () => {
    const lockDir = path.join(root, 'x.lock');
    await mkdir(lockDir);
    // pid 2^22 + 1 is above Linux's pid_max default, so no such process exists.
    await writeFile(path.join(lockDir, 'owner.json'), JSON.stringify({ pid: 4_194_305, host: hostname(), startedAt: '' }));
    const lock = await acquireDirLock(lockDir, opts);
    await lock.release();
  });

  it('error: gives up after timeoutMs while a live process holds the lock', async () => {
    const lockDir = path.join(root, 'x.lock');
    const held = await acquireDirLock(lockDir, opts);
    await expect(acquireDirLock(lockDir, { ...opts, timeoutMs: 100 })).rejects.toThrow(
      `test artifact: waited 0 s for the lock ${lockDir} held by another process; wait for that build to finish, or delete the lock directory if no build is running`,
    );
    await held.release();
  });
});
