/**
 * A cross-process lock made of a directory: mkdir is atomic, so exactly one process creates it.
 * The holder records its pid and host and refreshes the directory's mtime while it works; a
 * waiter breaks the lock when the holder's process is gone (same host) or the heartbeat stopped.
 * Used so that parallel vitest workers or CLI runs build a circuit or a ptau file once.
 */
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { PinbenchError } from '../core/errors.ts';
import type { Logger } from '../core/ports.ts';

export interface DirLockOptions {
  /** What is being built, for messages. */
  what: string;
  timeoutMs: number;
  /** A lock whose heartbeat is older than this is considered abandoned. */
  staleMs?: number;
  pollMs?: number;
  logger: Logger;
}

export interface DirLock {
  release(): Promise<void>;
}

interface Owner {
  pid: number;
  host: string;
  startedAt: string;
}

const OWNER_FILE = 'owner.json';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lockDir: string, staleMs: number): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(lockDir)).mtimeMs;
  } catch {
    return false;
  }
  try {
    const owner = JSON.parse(await readFile(path.join(lockDir, OWNER_FILE), 'utf8')) as Owner;
    // Same host: the pid answers exactly, even when a long synchronous step delays the heartbeat.
    if (owner.host === hostname()) return !processAlive(owner.pid);
  } catch {
    // The holder may not have written owner.json yet; fall back to the heartbeat.
  }
  return Date.now() - mtimeMs > staleMs;
}

export async function acquireDirLock(lockDir: string, options: DirLockOptions): Promise<DirLock> {
  const { what, timeoutMs, staleMs = 120_000, pollMs = 500, logger } = options;
  await mkdir(path.dirname(lockDir), { recursive: true });
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isStale(lockDir, staleMs)) {
      // Renaming first means only one waiter breaks the lock; the others see it gone.
      const grave = `${lockDir}.stale-${process.pid}-${Date.now()}`;
      try {
        await rename(lockDir, grave);
        await rm(grave, { recursive: true, force: true });
        logger.warn(`${what}: removed an abandoned lock ${lockDir}`);
      } catch {
        // Another waiter broke it first.
      }
      continue;
    }
    if (!announced) {
      logger.info(`${what}: another process is building it, waiting (lock ${lockDir})`);
      announced = true;
    }
    if (Date.now() - started > timeoutMs) {
      throw new PinbenchError('CIRCUIT_LOCK_TIMEOUT', `${what}: waited ${Math.round(timeoutMs / 1000)} s for the lock ${lockDir} held by another process; wait for that build to finish, or delete the lock directory if no build is running`, { details: { lockDir, timeoutMs } });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }

  const owner: Owner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  await writeFile(path.join(lockDir, OWNER_FILE), JSON.stringify(owner));
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockDir, now, now).catch(() => {});
  }, Math.max(1000, Math.floor(staleMs / 4)));
  heartbeat.unref();

  return {
    async release() {
      clearInterval(heartbeat);
      await rm(lockDir, { recursive: true, force: true });
    },
  };
}

/**
 * Deletes work directories `<dir>/<prefix>*` left by a builder that died. Call it only while
 * holding the lock that guards those directories, so none of them belongs to a live build.
 */
export async function removeLeftovers(dir: string, prefix: string, keep: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names
    .filter((n) => n.startsWith(prefix) && path.join(dir, n) !== keep)
    .map((n) => rm(path.join(dir, n), { recursive: true, force: true })));
}
