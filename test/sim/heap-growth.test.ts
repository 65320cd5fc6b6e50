import { describe, expect, it } from 'vitest';
import { HEAP_CAP_FROM_DEVICES, heapGrowingPercentFor } from '../../sim/perf/heap-growth.ts';

describe('heap growth cap', () => {
  it('behavior: V8 keeps its own heap growth below 5,000 devices and is capped at 30 % from there', () => {
    expect(HEAP_CAP_FROM_DEVICES).toBe(5000);
    expect(heapGrowingPercentFor(1000)).toBeUndefined();
    expect(heapGrowingPercentFor(4999)).toBeUndefined();
    expect(heapGrowingPercentFor(5000)).toBe(30);
    expect(heapGrowingPercentFor(10_000)).toBe(30);
  });
});
