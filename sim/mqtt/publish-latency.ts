import { msHistogram } from '../stats-histogram.ts';

/**
 * Publish → accept latency as the bench measures it (wall clock): the bench knows when each of
 * its devices sent a reading, and the backend tells when it accepted one (BackendEvents). The
 * two halves are paired by the fleet runtime, in this process or in the fleet process's host.
 */
export class PublishLatency {
  private readonly histogram = msHistogram();

  record(latencyMs: number): void {
    this.histogram.record(latencyMs);
  }

  summary(): { samples: number; p50: number; p95: number; p99: number; max: number } {
    return this.histogram.summary();
  }
}
