import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportHeader } from '../../reports/types.ts';
import { EXIT } from '../exit-codes.ts';

/** What a run returns: its verdict, exit code, folder, report and failed checks as lines. */
export interface RunOutcome<R extends ReportHeader> {
  ok: boolean;
  exitCode: number;
  runDir: string;
  report: R;
  failedChecks: string[];
}

/**
 * Writes `report.json` and `report.md` to the run folder and returns the run's outcome: exit 1
 * when a built-in check failed, else 99 when a threshold failed, else 0 (sim/exit-codes.ts).
 */
export function writeReport<R extends ReportHeader>(runDir: string, report: R, markdown: (report: R) => string): RunOutcome<R> {
  writeReportJson(runDir, report);
  writeFileSync(join(runDir, 'report.md'), markdown(report));
  return outcomeOf(runDir, report);
}

/** `report.json`, the report every other output and `pinbench compare` read. */
export function writeReportJson(runDir: string, report: ReportHeader): void {
  writeFileSync(join(runDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
}

/** The run's verdict and exit code from its report (see writeReport). */
export function outcomeOf<R extends ReportHeader>(runDir: string, report: R): RunOutcome<R> {
  const failedChecks = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  const thresholdFailed = (report.thresholds ?? []).some((t) => !t.ok);
  // A failed built-in check outranks a failed threshold: the run itself is wrong, not slow.
  const exitCode = failedChecks.length > 0 || (!report.ok && !thresholdFailed) ? EXIT.checkFailed : thresholdFailed ? EXIT.thresholdFailed : EXIT.pass;
  return { ok: exitCode === EXIT.pass, exitCode, runDir, report, failedChecks };
}
