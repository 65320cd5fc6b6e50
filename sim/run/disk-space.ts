import { statfsSync, statSync } from 'node:fs';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { chainStatePath } from '../paths.ts';

/**
 * Space a run keeps free on its folder's filesystem. A full disk is a loss of the chain, not
 * only of the last readings: anvil rewrites its state file in place, and cut short by ENOSPC it
 * is a truncated JSON nothing can load (seen on a full tmpfs), so `pinbench resume` would have
 * no contracts to settle on. The run stops while anvil still has room for one more full save
 * (twice its state file, as it grows), run.db for its WAL (~8 MiB between checkpoints), and the
 * proofs in flight: 64 MiB at least.
 */
export const MIN_FREE_BYTES = 64 * 1024 * 1024;

/** How often the run looks at the free space: a second's writes are far below the reserve. */
const CHECK_EVERY_MS = 1_000;

export function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** What the run keeps free now: the minimum, or room for the chain's state twice over when that is more. */
export function reserveBytes(runDir: string): number {
  let state = 0;
  try {
    state = statSync(chainStatePath(runDir)).size;
  } catch {
    // Not written yet (the first save comes a few seconds in), or an external chain.
  }
  return Math.max(MIN_FREE_BYTES, 2 * state + 16 * 1024 * 1024);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** The error a run stops with; `when` says whether it had started. */
export function diskFullError(runDir: string, free: number, reserve: number, when: 'start' | 'run'): PinbenchError {
  return when === 'start'
    ? new PinbenchError('DISK_FULL', `only ${mib(free)} free on the filesystem of ${runDir}; a run keeps ${mib(reserve)} free so the chain's state and run.db cannot be cut short: free space, or give --out on a larger disk`)
    : new PinbenchError(
        'DISK_FULL',
        `the filesystem of ${runDir} is down to ${mib(free)} free (a run keeps ${mib(reserve)}): the run stopped to keep what it has (run.db, the chain's state, the proofs); free space, then \`pinbench resume ${runDir}\` finishes it`,
      );
}

/**
 * Watches the run folder's free space once a second and calls `onLow` once, with the error to
 * stop with, when it falls below the reserve. Refuses at once (throws) when it is already below.
 */
export function watchDiskSpace(input: { runDir: string; logger: Logger; onLow: (error: PinbenchError) => void; free?: (dir: string) => number }): { stop(): void } {
  const free = input.free ?? freeBytes;
  const initial = free(input.runDir);
  if (initial < MIN_FREE_BYTES) throw diskFullError(input.runDir, initial, MIN_FREE_BYTES, 'start');
  const timer = setInterval(() => {
    const now = free(input.runDir);
    const reserve = reserveBytes(input.runDir);
    if (now >= reserve) return;
    clearInterval(timer);
    const error = diskFullError(input.runDir, now, reserve, 'run');
    input.logger.warn(error.message);
    input.onLow(error);
  }, CHECK_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** SQLite's "database or disk is full" and the file system's ENOSPC, wherever they come from. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}
