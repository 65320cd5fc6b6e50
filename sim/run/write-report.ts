import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportHeader } from '../../reports/types.ts';

/** What a run returns: its verdict, exit code, folder, report and failed checks as lines. */
export interface RunOutcome<R extends ReportHeader> {
  ok: boolean;
  exitCode: number;
  runDir: string;
  report: R;
  failedChecks: string[];
}

/** Writes `report.json` and `report.md` to the run folder and returns the run's outcome. */
export function writeReport<R extends ReportHeader>(runDir: string, report: R, markdown: (report: R) => string): RunOutcome<R> {
  writeFileSync(join(runDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(runDir, 'report.md'), markdown(report));
  const failedChecks = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  return { ok: report.ok, exitCode: report.ok ? 0 : 1, runDir, report, failedChecks };
}
