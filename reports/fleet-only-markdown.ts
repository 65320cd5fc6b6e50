import type { FleetOnlyReport } from './types.ts';
import { fmtInt, renderPerformance } from './markdown.ts';
import { renderThresholds } from './thresholds-markdown.ts';

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The report of a fleet-only run (`--backend none`): what the devices saw of the team's broker and backend. */
export function renderFleetOnlyMarkdown(report: FleetOnlyReport): string {
  const lines: string[] = [];
  lines.push(`# pinbench run: ${report.scenario.name} — ${report.ok ? 'PASS' : 'FAIL'} (fleet only)`, '');
  lines.push(
    `${report.scenario.devices} devices against your broker at \`${report.broker.url}\`, for ${report.scenario.epochs} × ${report.scenario.epochLengthS} s, seed ${report.scenario.seed}. ` +
      `Started ${report.startedAt}, finished ${report.finishedAt}.`,
    '',
    "Fleet only: pinbench's ingest, proofs and chain did not run, so the checks on them do not apply; what is measured is what the devices saw.",
    '',
  );
  lines.push(...renderThresholds(report.thresholds));
  lines.push('## Checks', '');
  for (const check of report.checks) lines.push(`- ${check.ok ? '✔' : '✘'} **${check.name}**: ${check.detail}`);
  const { broker, counts, ackLatencyMs: ack } = report;
  const refused = Object.entries(broker.refusedConnects).map(([reason, n]) => `\`${reason}\` ${fmtInt(n)}`).join(', ');
  lines.push('', '## Devices and your broker', '');
  lines.push(
    `Connections: ${fmtInt(broker.connects)} made (reconnects included), peak ${fmtInt(broker.peakConnections)} at once, ${fmtInt(broker.connectionsLost)} lost while online; ` +
      (refused === '' ? 'none refused.' : `refused or failed: ${refused}.`),
    '',
    `Readings acknowledged (PUBACK): ${fmtInt(counts.published)}; publishes failed: ${fmtInt(counts.publishFailed)}; readings dropped from full offline buffers: ${fmtInt(counts.bufferDropped)}.`,
    '',
    `Publish → PUBACK (wall clock): p50 ${ms(ack.p50)}, p95 ${ms(ack.p95)}, p99 ${ms(ack.p99)}, max ${ms(ack.max)} over ${fmtInt(ack.samples)} publishes.`,
  );
  const { observed } = report;
  if (observed !== null) {
    lines.push('', '## Your backend\'s answers (--observe)', '');
    lines.push('| filter | messages |', '| --- | ---: |');
    for (const f of observed.filters) lines.push(`| \`${f.filter}\` | ${fmtInt(f.messages)} |`);
    const l = observed.latencyMs;
    lines.push(
      '',
      `${fmtInt(observed.responses)} messages, ${fmtInt(observed.matched)} matched to a reading, ${fmtInt(observed.unmatched)} not. ` +
        `Reading sent → answer received: p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)}.`,
    );
  }
  lines.push('', ...renderPerformance(report.performance), '', '(In a fleet-only run, "accepted" counts the readings your broker acknowledged.)');
  lines.push('', '## Stages', '', '| stage | time |', '| --- | ---: |');
  for (const [stage, value] of Object.entries(report.timingsMs)) lines.push(`| ${stage} | ${value} ms |`);
  lines.push('');
  return lines.join('\n');
}
