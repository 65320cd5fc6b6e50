// Messages between run.ts and its two child processes (fork IPC, advanced serialization).
import type { PerfSummary } from '../../sim/perf/sampler.ts';

/**
 * `baseline`: bare aedes; `pinbench`: the embedded broker and the whole ingest; `broker`
 * (diagnostic, `--broker-only`): the embedded broker (login, ACL, hand-over) with an ingest that
 * only counts and calls `done`.
 */
export type Mode = 'baseline' | 'pinbench' | 'broker';

export type ServerCommand =
  | { cmd: 'start'; mode: Mode; connections: number; perDevice: number; t0S: number; verifyWorkers?: number; brokerRate?: number }
  | { cmd: 'mark' }
  | { cmd: 'window-start' }
  | { cmd: 'window-end' }
  | { cmd: 'drain' }
  | { cmd: 'stop' };

/** One thread's CPU over the window (Linux /proc), ms. */
export interface ThreadCpu {
  tid: number;
  main: boolean;
  userMs: number;
  systemMs: number;
}

interface IngestCounts {
  received: number;
  accepted: number;
  rejected: Record<string, number>;
  inFlight: number;
}

export type ServerReply =
  | { kind: 'ready'; port: number }
  /**
   * `cpuUs`: this process's CPU time so far (user + system, every thread: main loop and verify
   * workers), µs. `monoUs`: CLOCK_MONOTONIC in µs, the clock of a --cpu-prof profile's timestamps.
   */
  | ({ kind: 'mark'; atMs: number; rssBytes: number; cpuUs: number; monoUs: number; connected: number; window?: PerfSummary; threads?: ThreadCpu[] } & IngestCounts)
  | ({ kind: 'drained'; acceptTimes: Float64Array } & IngestCounts)
  | ({ kind: 'stopped'; perf: PerfSummary } & IngestCounts);

export type LoadCommand =
  | { cmd: 'connect'; url: string; connections: number; concurrency: number; packagesFile: string; recycle: boolean }
  | { cmd: 'blast'; warmupS: number; durationS: number; window: number }
  | { cmd: 'paced'; rate: number; durationS: number }
  | { cmd: 'disconnect' };

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export type LoadReply =
  | { kind: 'ready' }
  | { kind: 'connected'; ms: number; failed: number; rssBeforeBytes: number; rssAfterBytes: number }
  | { kind: 'window-start' }
  | { kind: 'window-end' }
  | { kind: 'blast-done'; ackedInWindow: number; windowMs: number; exhausted: number; window: PerfSummary }
  | { kind: 'paced-done'; sent: number; acked: number; sendTimes: Float64Array; ackLatency: LatencySummary; window: PerfSummary }
  | { kind: 'disconnected'; perf: PerfSummary; published: number; acked: number };
