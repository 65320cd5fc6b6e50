import { describe, expect, it } from 'vitest';
import { processesRssBytes, processRssBytes, watchMemory } from '../../sim/perf/memory-watch.ts';

describe('watchMemory', () => {
  it('behavior: the total is the highest sum at one moment, not the sum of each process peak', () => {
    // Test fake readings: at the start (first sample) the fleet is large and the chain small,
    // at the end (stop's sample) the fleet is gone and the chain large.
    let at: 'start' | 'end' = 'start';
    const watch = watchMemory({
      ownRss: () => 100,
      fleetRss: () => (at === 'start' ? 500 : undefined),
      chainRss: () => (at === 'start' ? 50 : 450),
      intervalMs: 60_000,
    });
    at = 'end';
    const peaks = watch.stop();
    expect(peaks).toEqual({ peakTotalBytes: 650, runPeakBytes: 100, fleetPeakBytes: 500, chainPeakBytes: 450, proverPeakBytes: null });
    expect(watch.stop()).toEqual(peaks);
  });

  it('behavior: a process the run did not have stays null', () => {
    const peaks = watchMemory({ ownRss: () => 10, fleetRss: () => undefined, intervalMs: 60_000 }).stop();
    expect(peaks).toEqual({ peakTotalBytes: 10, runPeakBytes: 10, fleetPeakBytes: null, chainPeakBytes: null, proverPeakBytes: null });
  });

  it.runIf(process.platform === 'linux')('behavior: processRssBytes reads a live process and gives undefined for a gone one', () => {
    expect(processRssBytes(process.pid)).toBeGreaterThan(10 * 2 ** 20);
    expect(processRssBytes(2 ** 22 + 12345)).toBeUndefined();
    expect(processesRssBytes([process.pid, 2 ** 22 + 12345])).toBeGreaterThan(10 * 2 ** 20);
    expect(processesRssBytes([2 ** 22 + 12345])).toBeUndefined();
  });
});
