import { relative } from 'node:path';
import { fmtToken } from '../../reports/index.ts';
import { thresholdTableLines } from '../../reports/thresholds-markdown.ts';
import type { RunResult } from '../run/run-scenario.ts';
import type { FleetOnlyResult } from '../run/fleet-only/run-fleet-only.ts';

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
    ...thresholdTableLines(r.thresholds),
    `report: ${where}/report.md (also report.json, run.db, proofs/)`,
  ];
}

/** What `pinbench run --backend none` prints at the end. */
export function fleetOnlyResultLines(result: FleetOnlyResult): string[] {
  const where = relative(process.cwd(), result.runDir) || result.runDir;
  const r = result.report;
  const refused = Object.values(r.broker.refusedConnects).reduce((a, b) => a + b, 0);
  const answers = r.observed === null ? '' : `; ${r.observed.matched} answers, reading → answer p99 ${r.observed.latencyMs.p99.toFixed(1)} ms`;
  return [
    `${result.ok ? 'PASS' : 'FAIL'} ${r.scenario.name} (fleet only, ${r.broker.url}): ${r.counts.published} readings acknowledged, PUBACK p99 ${r.ackLatencyMs.p99.toFixed(1)} ms; ` +
      `${r.broker.connects} connects, ${refused} refused${answers}`,
    ...result.failedChecks.map((failed) => `  check failed: ${failed}`),
    ...thresholdTableLines(r.thresholds),
    `report: ${where}/report.md (also report.json, run.db)`,
  ];
}
