import * as hdr from 'hdr-histogram-js';

const MAX_US = 3_600_000_000;

export type MsHistogram = ReturnType<typeof msHistogram>;

/**
 * An HDR histogram of durations in milliseconds, kept in microseconds (1 µs to 1 h, 2
 * significant digits): constant memory however long the run, sub-millisecond values intact.
 */
export function msHistogram() {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_US, numberOfSignificantValueDigits: 2 });
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    record(valueMs: number): void {
      histogram.recordValue(Math.min(MAX_US, Math.max(1, Math.round(valueMs * 1000))));
    },
    summary(): { samples: number; p50: number; p95: number; p99: number; max: number } {
      const samples = histogram.totalCount;
      if (samples === 0) return { samples: 0, p50: 0, p95: 0, p99: 0, max: 0 };
      return {
        samples,
        p50: ms(histogram.getValueAtPercentile(50)),
        p95: ms(histogram.getValueAtPercentile(95)),
        p99: ms(histogram.getValueAtPercentile(99)),
        max: ms(histogram.maxValue),
      };
    },
  };
}
