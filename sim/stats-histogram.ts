import * as hdr from 'hdr-histogram-js';

/** An HDR histogram of milliseconds (1 ms to 1 h, 2 significant digits): constant memory for any run length. */
export function msHistogram() {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 2 });
  return {
    record(ms: number): void {
      histogram.recordValue(Math.min(3_600_000, Math.max(1, Math.round(ms))));
    },
    summary(): { samples: number; p50: number; p95: number; p99: number; max: number } {
      const samples = histogram.totalCount;
      if (samples === 0) return { samples: 0, p50: 0, p95: 0, p99: 0, max: 0 };
      return {
        samples,
        p50: histogram.getValueAtPercentile(50),
        p95: histogram.getValueAtPercentile(95),
        p99: histogram.getValueAtPercentile(99),
        max: histogram.maxValue,
      };
    },
  };
}
