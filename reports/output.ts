import type { RunReport } from './types.ts';
import type { RunSample } from './sample.ts';

export type { RunSample } from './sample.ts';

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
