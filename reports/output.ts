import type { RunReport } from './types.ts';

/**
 * One second of a run, as every output hears it: the live view draws it as it comes, and the
 * report keeps the whole stream (`performance.timeline`) for its tables and charts. Counts are
 * totals since the fleet started unless the name says per second. Plain data: it goes into
 * report.json as is.
 */
export interface RunSample {
  /** Wall seconds since the fleet started. */
  tS: number;
  simTimeS: number;
  /** The epoch the simulated time is in (null before the first and after the last). */
  epoch: number | null;
  /** What the run is doing: driving the fleet, then proving and settling what is left, then the owners' claims. */
  phase: 'fleet' | 'settling' | 'claiming';
  published: number;
  accepted: number;
  /** Rejections of every kind (messages, refused subscribes, closed connections). */
  rejected: number;
  publishedPerS: number;
  acceptedPerS: number;
  /** Rejections by reason, totals (`signature.invalid`, `acl.subscribe`, …). */
  rejectedByReason: Record<string, number>;
  /** Publish → accept over this sample's second, wall clock; null when nothing was accepted in it. */
  latencyMs: { p50: number; p95: number; p99: number } | null;
  connections: number;
  /** Devices per machine state (states with none left out). */
  states: Record<string, number>;
  /** CPU time of the run's process over the second, % of one core. */
  cpuPercent: number;
  rssMb: number;
  loopLagP99Ms: number;
  /** How late device timers fired, p99 since the start; realtime runs with the fleet in this process only, else null. */
  timerLatenessP99Ms: number | null;
  /** Proof jobs in run.db: waiting or being proven, settled on chain, failed. */
  proofs: { queued: number; proving: number; settled: number; failed: number };
  /** Settlements mined so far, their gas (decimal string), and the last one's proving time. */
  settlements: { count: number; gasUsed: string; lastProveMs: number | null };
  /** Rewards the settled batches credited to devices so far, wei (decimal string). */
  rewardsWei: string;
  /** Real devices attached to the run, and what they are doing. */
  attached: Array<{ deviceId: string; state: 'online' | 'offline' | 'never heard from'; accepted: number }>;
  /** Warnings logged so far. */
  warnings: number;
}

/** What an output hears when the run's fleet starts. */
export interface RunStart {
  scenario: { name: string; seed: number; devices: number; epochs: number; epochLengthS: number };
  runDir: string;
  timeMode: 'realtime' | 'accelerated';
  /** Simulated ms since the epoch at which the first epoch starts. */
  startSimMs: number;
  /** Simulated ms at which the last epoch ends. */
  endSimMs: number;
}

/** What an output hears at the end: the finished report, and what only a file output needs. */
export interface RunEnd {
  report: RunReport;
  runDir: string;
  /** Device tracks read from run.db for the HTML report's map (downsampled). */
  tracks: TrackSet;
  /** True when the user stopped the run (`q` in the live view): the report covers what ran. */
  stoppedByUser: boolean;
}

/** Device positions for a map, downsampled per device; coordinates are degrees. */
export interface TrackSet {
  /** The box around every point: [west, south, east, north]. Null when no reading had a position. */
  bounds: [number, number, number, number] | null;
  tracks: Array<{
    deviceId: string;
    profile: string;
    /** Flagged in at least one epoch by the detection rules. */
    flagged: boolean;
    /** A real device attached to the run. */
    attached: boolean;
    /** [longitude, latitude] pairs in time order. */
    points: Array<[number, number]>;
  }>;
  /** Readings in run.db that had a position, and points kept. */
  readings: number;
  kept: number;
}

/**
 * A k6-style output: the run calls `start` once when its fleet starts, `samples` once a second
 * with what happened, `message` for each progress line or warning, and `stop` once with the
 * finished report. The Markdown, HTML and JUnit files and the live terminal view are outputs;
 * none keeps counters of its own.
 */
export interface RunOutput {
  readonly name: string;
  start(run: RunStart): void;
  samples(samples: readonly RunSample[]): void;
  message?(level: 'info' | 'warn', text: string): void;
  /** Writes the output's file(s) or tears the view down. */
  stop(end: RunEnd): void | Promise<void>;
  /** The run ended without a report (a failed stage, an interrupt): a view tears itself down, a file output writes nothing. */
  fail?(error: Error): void | Promise<void>;
}
