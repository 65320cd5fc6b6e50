import { readFileSync } from 'node:fs';
import type { WholeRunMemory } from '../../reports/types.ts';

export interface MemoryWatch {
  /** Takes a last sample and stops; safe to call twice. */
  stop(): WholeRunMemory;
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
 * `intervalMs`, for the whole run, into the report's peaks: the fleet phase's sampler misses settlement and claims, where
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
  const peaks: WholeRunMemory = { peakTotalBytes: 0, runPeakBytes: 0, fleetPeakBytes: null, chainPeakBytes: null, proverPeakBytes: null };
  const sample = () => {
    const run = ownRss();
    const fleet = sources.fleetRss?.();
    const chain = sources.chainRss?.();
    const prover = sources.proverRss?.();
    peaks.runPeakBytes = Math.max(peaks.runPeakBytes, run);
    if (fleet !== undefined) peaks.fleetPeakBytes = Math.max(peaks.fleetPeakBytes ?? 0, fleet);
    if (chain !== undefined) peaks.chainPeakBytes = Math.max(peaks.chainPeakBytes ?? 0, chain);
    if (prover !== undefined) peaks.proverPeakBytes = Math.max(peaks.proverPeakBytes ?? 0, prover);
    peaks.peakTotalBytes = Math.max(peaks.peakTotalBytes, run + (fleet ?? 0) + (chain ?? 0) + (prover ?? 0));
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
