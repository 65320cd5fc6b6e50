import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../core/ports.ts';
import { isDiskFull, MIN_FREE_BYTES, watchDiskSpace } from '../../sim/run/disk-space.ts';

const MiB = 1024 * 1024;

describe('watchDiskSpace (fake free-space readings)', () => {
  it('errors: a run folder already short of space is refused before the run starts, in one line', () => {
    expect(() => watchDiskSpace({ runDir: '/runs/r', logger: silentLogger, onLow: () => undefined, free: () => 10 * MiB })).toThrow(
      "only 10 MiB free on the filesystem of /runs/r; a run keeps 64 MiB free so the chain's state and run.db cannot be cut short: free space, or give --out on a larger disk",
    );
  });

  it('behavior: once the free space falls below the reserve, onLow gets DISK_FULL once, saying how to finish the run', () => {
    vi.useFakeTimers();
    try {
      const readings = [200 * MiB, 100 * MiB, 30 * MiB, 10 * MiB];
      const errors: Error[] = [];
      const watch = watchDiskSpace({ runDir: '/runs/r', logger: silentLogger, onLow: (e) => errors.push(e), free: () => readings.shift() ?? 0 });
      vi.advanceTimersByTime(1_000);
      expect(errors).toEqual([]);
      vi.advanceTimersByTime(5_000);
      expect(errors.map((e) => [(e as { code?: string }).code, e.message])).toEqual([
        ['DISK_FULL', 'the filesystem of /runs/r is down to 30 MiB free (a run keeps 64 MiB): the run stopped to keep what it has (run.db, the chain\'s state, the proofs); free space, then `pinbench resume /runs/r` finishes it'],
      ]);
      watch.stop();
    } finally {
      vi.useRealTimers();
    }
    expect(MIN_FREE_BYTES).toBe(64 * MiB);
  });

  it('behavior: SQLite\'s full database and ENOSPC count as a full disk, other errors do not', () => {
    expect(isDiskFull(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(new Error('boom'))).toBe(false);
    expect(isDiskFull(undefined)).toBe(false);
  });
});
