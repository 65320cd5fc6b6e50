import { msHistogram } from '../stats-histogram.ts';

/**
 * Publish → accept latency as the bench measures it (wall clock): the bench knows when each of
 * its devices sent a reading, and the backend tells when it accepted one (BackendEvents). The
 * two halves are paired by the fleet runtime, in this process or in the fleet process's host.
 */
export class PublishLatency {
  private readonly histogram = msHistogram();
  // The last second's latencies for the run's sample stream; a second histogram, since an HDR histogram cannot be un-merged.
  private interval = msHistogram();

  record(latencyMs: number): void {
    this.histogram.record(latencyMs);
    this.interval.record(latencyMs);
  }

  /** p50/p95/p99 of what was recorded since the last call, or null when nothing was. */
  takeInterval(): { p50: number; p95: number; p99: number } | null {
    const { samples, p50, p95, p99 } = this.interval.summary();
    this.interval = msHistogram();
    return samples === 0 ? null : { p50, p95, p99 };
  }

  summary(): { samples: number; p50: number; p95: number; p99: number; max: number } {
    return this.histogram.summary();
  }
}
