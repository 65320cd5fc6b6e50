import { describe, expect, it } from 'vitest';
import { timelineColumns } from '../../reports/html/timeline-series.ts';
import { fakeSample, olderPoint } from './fake-report.ts';

describe('HTML report: the timeline as chart columns', () => {
  it('behavior: a new report gives every column, a second without accepts a latency gap', () => {
    const columns = timelineColumns([1, 2, 5].map(fakeSample));
    expect(columns.tS).toEqual([1, 2, 5]);
    expect(columns.acceptedPerS).toEqual([39, 38, 39]);
    expect(columns.latencyMs?.p99).toEqual([16, 17, null]);
    expect(columns.proofs).toEqual({ queued: [0, 0, 0], proving: [0, 0, 0] });
    expect(columns.timerLatenessP99Ms).toEqual([1, 1, 1]);
    // A state a point left out had no device in it then.
    expect(columns.states).toEqual({ booting: [3, 2, 0], online: [1, 2, 4] });
    expect(columns.samples).toBe(3);
  });

  it('behavior: an older report (no latency, lateness or proof queue in its points) leaves those columns null', () => {
    const columns = timelineColumns([1, 2, 3].map(olderPoint));
    expect(columns.latencyMs).toBeNull();
    expect(columns.timerLatenessP99Ms).toBeNull();
    expect(columns.proofs).toBeNull();
    expect(columns.publishedPerS).toEqual([41, 42, 40]);
  });

  it('behavior: past the limit, points merge: rates averaged, latency, lag and memory the worst, levels the last', () => {
    const columns = timelineColumns([1, 2, 3, 4, 5, 6, 7].map(fakeSample), 3);
    expect(columns.tS).toEqual([3, 6, 7]);
    expect(columns.publishedPerS).toEqual([41, 41, 41]);
    expect(columns.latencyMs?.p99).toEqual([18, 21, 22]);
    expect(columns.rssMb).toEqual([183, 186, 187]);
    expect(columns.loopLagP99Ms).toEqual([2.75, 3.5, 3.75]);
    expect(columns.connections).toEqual([3, 4, 4]);
    expect(columns.proofs?.queued).toEqual([0, 0, 1]);
    expect(columns.samples).toBe(7);
  });

  it('behavior: a day of samples becomes at most 1,200 points', () => {
    const columns = timelineColumns(Array.from({ length: 86_400 }, (_, i) => olderPoint(i + 1)));
    expect(columns.tS.length).toBeLessThanOrEqual(1200);
    expect(columns.tS.at(-1)).toBe(86_400);
  });
});
