import { readFileSync } from 'node:fs';

/** Peak resident memory of a run's processes, from its start to its report. */
export interface MemoryPeaks {
  /** Highest sum of all the processes' RSS sampled at one moment: what the machine had to hold. */
  totalBytes: number;
  /** Each process's own peak; null for a process the run did not have (fleet inline, chain external). */
  runBytes: number;
  fleetBytes: number | null;
  chainBytes: number | null;
  /** The prover processes together. */
  proverBytes: number | null;
}

export interface MemoryWatch {
  /** Takes a last sample and stops; safe to call twice. */
  stop(): MemoryPeaks;
}

/** RSS of another process from /proc (Linux); undefined where there is none or the process is gone. */
export function processRssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples this process and the run's others (fleet process, embedded chain node, provers) every
 * `intervalMs`, for the whole run: the fleet phase's sampler misses settlement and claims, where
 * the chain node grows. The timer is unref'd.
 */
export function watchMemory(sources: {
  fleetRss?: () => number | undefined;
  chainRss?: () => number | undefined;
  proverRss?: () => number | undefined;
  ownRss?: () => number;
  intervalMs?: number;
}): MemoryWatch {
  const ownRss = sources.ownRss ?? (() => process.memoryUsage.rss());
  const peaks: MemoryPeaks = { totalBytes: 0, runBytes: 0, fleetBytes: null, chainBytes: null, proverBytes: null };
  const sample = () => {
    const run = ownRss();
    const fleet = sources.fleetRss?.();
    const chain = sources.chainRss?.();
    const prover = sources.proverRss?.();
    peaks.runBytes = Math.max(peaks.runBytes, run);
    if (fleet !== undefined) peaks.fleetBytes = Math.max(peaks.fleetBytes ?? 0, fleet);
    if (chain !== undefined) peaks.chainBytes = Math.max(peaks.chainBytes ?? 0, chain);
    if (prover !== undefined) peaks.proverBytes = Math.max(peaks.proverBytes ?? 0, prover);
    peaks.totalBytes = Math.max(peaks.totalBytes, run + (fleet ?? 0) + (chain ?? 0) + (prover ?? 0));
  };
  sample();
  const timer = setInterval(sample, sources.intervalMs ?? 1000);
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        sample();
      }
      return { ...peaks };
    },
  };
}

/** Summed RSS of processes, skipping gone ones; undefined when none could be read. */
export function processesRssBytes(pids: readonly number[]): number | undefined {
  let total: number | undefined;
  for (const pid of pids) {
    const rss = processRssBytes(pid);
    if (rss !== undefined) total = (total ?? 0) + rss;
  }
  return total;
}
