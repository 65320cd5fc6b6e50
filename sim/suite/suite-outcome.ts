import type { ReportCheck } from '../../reports/types.ts';
import type { ThresholdResult } from '../../reports/verdicts.ts';

/**
 * How one scenario of a suite ended:
 * - `passed`: every built-in check and every threshold passed;
 * - `failed`: the run finished and a check or a threshold failed (`failedBy` says which kind);
 * - `errored`: the run could not finish (a bad scenario file, a stage that threw);
 * - `interrupted`: Ctrl-C stopped it;
 * - `skipped`: never started (`--fail-fast` after a failure, or after an interruption).
 */
export type ScenarioStatus = 'passed' | 'failed' | 'errored' | 'interrupted' | 'skipped';

export interface ScenarioOutcome {
  /** The scenario file as given (or as found in the folder). */
  file: string;
  /** The scenario's `name:`; the file's base name when the file could not be read. */
  name: string;
  status: ScenarioStatus;
  /** For `failed`: `check` when a built-in check failed (thresholds may have too), else `threshold`. */
  failedBy?: 'check' | 'threshold';
  /** Wall time it started, and how long it took (0 for a skipped one). */
  startedAt: Date;
  durationMs: number;
  checks: ReportCheck[];
  thresholds: ThresholdResult[];
  /** For `errored` and `interrupted`: the error's one-line message and code (`SCENARIO_INVALID`, …). */
  error?: { message: string; code: string };
  /** Why it was skipped. */
  skipReason?: string;
  /** The run folder, when the run made one. */
  runDir?: string;
  /** The chain the run settled on (the suite's), from its report. */
  rpcUrl?: string;
}

/** What a whole suite came to. */
export type SuiteVerdict = 'pass' | 'checkFailed' | 'thresholdFailed' | 'interrupted';

export interface SuiteResult {
  outcomes: ScenarioOutcome[];
  verdict: SuiteVerdict;
  startedAt: Date;
  durationMs: number;
  /** The suite's chain: its RPC URL while it ran, and the file its state was saved to at the end. */
  chain: { rpcUrl: string; statePath: string } | undefined;
}

/**
 * The suite's verdict, worst first: interrupted; a check failed or a scenario errored; only
 * thresholds failed; everything passed. Skipped scenarios count only through what skipped them.
 */
export function suiteVerdict(outcomes: readonly ScenarioOutcome[]): SuiteVerdict {
  if (outcomes.some((o) => o.status === 'interrupted')) return 'interrupted';
  if (outcomes.some((o) => o.status === 'errored' || (o.status === 'failed' && o.failedBy === 'check'))) return 'checkFailed';
  if (outcomes.some((o) => o.status === 'failed')) return 'thresholdFailed';
  return 'pass';
}

/** A scenario's verdict from its report: a failed check outweighs a failed threshold. */
export function statusOfReport(checks: readonly ReportCheck[], thresholds: readonly ThresholdResult[]): Pick<ScenarioOutcome, 'status' | 'failedBy'> {
  if (checks.some((c) => !c.ok)) return { status: 'failed', failedBy: 'check' };
  if (thresholds.some((t) => !t.ok)) return { status: 'failed', failedBy: 'threshold' };
  return { status: 'passed' };
}

/** `PASS`, `FAIL`, `ERROR`, `STOP`, `SKIP`: the word a progress line and the tables use. */
export function statusWord(status: ScenarioStatus): string {
  return { passed: 'PASS', failed: 'FAIL', errored: 'ERROR', interrupted: 'STOP', skipped: 'SKIP' }[status];
}
