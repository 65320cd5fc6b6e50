import { relative } from 'node:path';
import { fmtToken } from '../../reports/index.ts';
import type { RunResult } from '../run/run-scenario.ts';

/** What `pinbench run` (and a replay's run) prints at the end: the verdict, failed checks and where the report is. */
export function runResultLines(result: RunResult): string[] {
  const where = relative(process.cwd(), result.runDir) || result.runDir;
  const r = result.report;
  const rejected = r.counts.received - r.counts.accepted;
  return [
    `${result.ok ? 'PASS' : 'FAIL'} ${r.scenario.name}: ${r.counts.published} published, ${r.counts.accepted} accepted, ` +
      `${rejected} rejected; ${r.proofs.count} proofs settled; ${r.rewards.perDevice.length} devices paid ` +
      `${fmtToken(r.rewards.totalWei)} PINR`,
    ...result.failedChecks.map((failed) => `  check failed: ${failed}`),
    `report: ${where}/report.md (also report.json, run.db, proofs/)`,
  ];
}
