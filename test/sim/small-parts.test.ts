import { describe, expect, it } from 'vitest';
import { createEpochCalendar } from '../../backend/epochs/calendar.ts';
import { percentile } from '../../sim/stats.ts';
import { msHistogram } from '../../sim/stats-histogram.ts';
import { LatencyTracker } from '../../sim/mqtt/latency-tracker.ts';
import { BatchingRegistrar } from '../../backend/directory/batching-registrar.ts';
import { BatchAssembler, assignBatches } from '../../backend/epochs/assign-batches.ts';
import { summarizeDevice } from '../../backend/epochs/summarize.ts';
import { runFolderName, defaultCacheDir } from '../../sim/paths.ts';
import { inParallel } from '../../sim/run/in-parallel.ts';

describe('epoch calendar', () => {
  it('behavior: epochs are half-open second ranges from the start', () => {
    const cal = createEpochCalendar(1000, 10, 3);
    expect(cal.epochOf(999)).toBeNull();
    expect(cal.epochOf(1000)).toBe(0);
    expect(cal.epochOf(1009)).toBe(0);
    expect(cal.epochOf(1010)).toBe(1);
    expect(cal.epochOf(1029)).toBe(2);
    expect(cal.epochOf(1030)).toBeNull();
    expect(cal.endOfS(1)).toBe(1020);
  });
});

describe('stats', () => {
  it('behavior: nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile([], 50)).toBe(0);
  });

  it('behavior: the latency histogram keeps sub-millisecond values and summarizes in ms', () => {
    const h = msHistogram();
    expect(h.summary()).toEqual({ samples: 0, p50: 0, p95: 0, p99: 0, max: 0 });
    for (const ms of [0.5, 0.9, 1.2, 40, 250]) h.record(ms);
    const s = h.summary();
    expect(s.samples).toBe(5);
    expect(s.p50).toBeCloseTo(1.2, 1);
    expect(s.max).toBeCloseTo(250, -1);
  });
});

describe('latency tracker', () => {
  it('behavior: matches payloads per client in order and skips ones that never arrived', () => {
    let now = 0;
    const t = new LatencyTracker(() => now);
    t.sent('a', Buffer.from('1'));
    now = 5;
    t.sent('a', Buffer.from('2'));
    now = 9;
    t.sent('a', Buffer.from('3'));
    expect(t.take('a', Buffer.from('2'))).toBe(5);
    expect(t.take('a', Buffer.from('1'))).toBeUndefined();
    expect(t.take('a', Buffer.from('3'))).toBe(9);
    expect(t.take('b', Buffer.from('3'))).toBeUndefined();
  });
});

describe('batching registrar', () => {
  it('behavior: groups registrations into batches and hands back indices in order', async () => {
    const batches: string[][] = [];
    let next = 1;
    const registrar = new BatchingRegistrar<string>(
      async (devices) => {
        batches.push(devices);
        return devices.map(() => next++);
      },
      { maxBatch: 2, lingerMs: 5 },
    );
    const indices = await Promise.all(['a', 'b', 'c'].map((d) => registrar.register(d)));
    expect(indices).toEqual([1, 2, 3]);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('error: a failed write rejects every device of that batch', async () => {
    const registrar = new BatchingRegistrar<string>(async () => {
      throw new Error('rpc down');
    }, { maxBatch: 10, lingerMs: 1 });
    await expect(registrar.register('a')).rejects.toThrow('rpc down');
  });
});

describe('small helpers', () => {
  it('behavior: devices go to batch floor((index - 1) / B), in index order; a batch earning nothing is not proven', () => {
    const w = (deviceIndex: number, units: bigint) => ({ deviceIndex, units });
    expect(assignBatches([w(6, 1n), w(1, 2n), w(5, 0n), w(9, 0n), w(4, 3n)], 4)).toEqual([
      { batch: 0, work: [w(1, 2n), w(4, 3n)] },
      { batch: 1, work: [w(5, 0n), w(6, 1n)] },
    ]);
    expect(assignBatches([], 4)).toEqual([]);
  });

  it('behavior: the batch assembler hands out each batch once a later one starts, as assignBatches groups them', () => {
    const w = (deviceIndex: number, units: bigint) => ({ deviceIndex, units });
    const work = [w(1, 2n), w(4, 3n), w(5, 0n), w(6, 1n), w(9, 0n), w(13, 5n), w(14, 0n)];
    const assembler = new BatchAssembler<ReturnType<typeof w>>(4);
    const handedOut = work.map((x) => assembler.add(x)?.batch);
    // Batch 0 is out when device 5 arrives, batch 1 when device 9 does; batch 2 earns nothing and is dropped.
    expect(handedOut).toEqual([undefined, undefined, 0, undefined, 1, undefined, undefined]);
    expect(assembler.finish()).toEqual({ batch: 3, work: [w(13, 5n), w(14, 0n)] });
    expect(assembler.finish()).toBeUndefined();
    expect(assignBatches(work, 4).map((b) => b.batch)).toEqual([0, 1, 3]);
  });

  it('error: the batch assembler refuses work out of device-index order', () => {
    const assembler = new BatchAssembler<{ deviceIndex: number; units: bigint }>(4);
    assembler.add({ deviceIndex: 6, units: 1n });
    expect(() => assembler.add({ deviceIndex: 2, units: 1n })).toThrow('device 2 came after device 6: work must come in increasing device-index order');
  });

  it('behavior: a flagged device keeps its readings, each flagged, and earns nothing; an oversized jump is flagged, not paid', () => {
    const params = { unitsPerSample: 1000n, maxStepE7: 20_000n, rewardPerUnitWei: 1n };
    const stored = (latE7: number, timestampS: number) => ({ latE7, lonE7: 0, timestampS }) as Parameters<typeof summarizeDevice>[1][number];
    const readings = [stored(0, 10), stored(100, 20), stored(5_000_000, 30)];
    const flagged = summarizeDevice(7, readings, params, 8, true);
    expect(flagged.units).toBe(0n);
    expect(flagged.readings.map((r) => r.flagged)).toEqual([true, true, true]);
    const honest = summarizeDevice(7, readings, params, 8);
    expect(honest.readings.map((r) => r.flagged ?? false)).toEqual([false, false, true]);
    expect(honest.units).toBe(2000n + 100n);
  });

  it('behavior: run folder names sort by start time', () => {
    expect(runFolderName(new Date('2026-11-25T02:40:00.123Z'), 'smoke')).toBe('2026-11-25T02-40-00-123Z-smoke');
  });

  it('args: the cache directory follows PINBENCH_CACHE, then XDG_CACHE_HOME', () => {
    expect(defaultCacheDir({ PINBENCH_CACHE: '/c' })).toBe('/c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/pinbench');
  });
});

describe('inParallel', () => {
  it('behavior: runs at most `limit` at once, takes items in order, and passes each its index', async () => {
    let running = 0;
    let most = 0;
    const taken: string[] = [];
    const seen: Array<[string, number]> = [];
    await inParallel(['a', 'b', 'c', 'd', 'e'], 2, async (item, index) => {
      taken.push(item);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      seen.push([item, index]);
    });
    expect(most).toBe(2);
    expect(taken).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(seen.sort()).toEqual([['a', 0], ['b', 1], ['c', 2], ['d', 3], ['e', 4]]);
  });
});
