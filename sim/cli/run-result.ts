import { relative } from 'node:path';
import { fmtToken } from '../../reports/index.ts';
import { thresholdTableLines } from '../../reports/thresholds-markdown.ts';
import type { RunResult } from '../run/run-scenario.ts';
import type { FleetOnlyResult } from '../run/fleet-only/run-fleet-only.ts';

/**
 * Who sent what, each population apart: the fleet's acknowledged publishes by outcome, what came
 * from outside the fleet (attached boards, other MQTT clients), and refusals that were no
 * reading. A report from before the split (no `fleet`) keeps the old totals.
 */
export function populationsHeadline(counts: RunResult['report']['counts']): string {
  const { fleet, outside } = counts;
  if (fleet === undefined || outside === undefined) {
    return `${counts.published} published, ${counts.accepted} accepted, ${counts.received - counts.accepted} rejected`;
  }
  const parts = [
    `fleet ${counts.published} published: ${fleet.accepted} accepted, ${fleet.rejected} rejected` + (fleet.unaccounted > 0 ? `, ${fleet.unaccounted} unaccounted` : ''),
    `outside the fleet ${outside.received} received` + (outside.received > 0 ? ` (${outside.accepted} accepted, ${outside.rejected} rejected)` : ''),
  ];
  if ((counts.refusedSubscribes ?? 0) > 0) parts.push(`${counts.refusedSubscribes} subscribe${counts.refusedSubscribes === 1 ? '' : 's'} refused`);
  const closed = Object.values(counts.closedConnections ?? {}).reduce((a, b) => a + b, 0);
  if (closed > 0) parts.push(`${closed} connection${closed === 1 ? '' : 's'} closed on a bad packet`);
  return parts.join('; ');
}

/** What `pinbench run` (and a replay's run) prints at the end: the verdict, failed checks and where the report is. */
export function runResultLines(result: RunResult): string[] {
  const where = relative(process.cwd(), result.runDir) || result.runDir;
  const r = result.report;
  const word = r.stoppedByUser !== undefined ? 'STOPPED' : result.ok ? 'PASS' : 'FAIL';
  return [
    `${word} ${r.scenario.name}: ${populationsHeadline(r.counts)}; ${r.proofs.count} proofs settled; ${r.rewards.perDevice.length} devices paid ` +
      `${fmtToken(r.rewards.totalWei)} PINR`,
    ...result.failedChecks.map((failed) => `  check failed: ${failed}`),
    ...thresholdTableLines(r.thresholds),
    ...(r.stoppedByUser === undefined || r.stoppedByUser.epochsOpen.length === 0
      ? []
      : [`  stopped by the user: epoch${r.stoppedByUser.epochsOpen.length === 1 ? '' : 's'} ${r.stoppedByUser.epochsOpen.join(', ')} left open (readings kept in run.db)`]),
    `report: ${where}/report.md (also report.html, report.json, run.db, proofs/)`,
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
