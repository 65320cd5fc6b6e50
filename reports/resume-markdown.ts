import type { ResumeReport } from './types.ts';
import { fmtInt, fmtToken, policyLines } from './markdown.ts';

/** The report `pinbench resume` writes for a run that stopped before its own: what run.db and the chain hold, and what the stop cut short. */
export function renderResumeMarkdown(report: ResumeReport): string {
  const { resumed, counts } = report;
  const lines: string[] = [];
  lines.push(`# pinbench run: ${report.scenario.name} — ${report.ok ? 'PASS' : 'FAIL'} (resumed)`, '');
  lines.push(
    `${report.scenario.devices} devices, ${report.scenario.epochs} × ${report.scenario.epochLengthS} s, seed ${report.scenario.seed}. ` +
      `The run started ${report.startedAt} and stopped before it wrote its report; \`pinbench resume\` finished it at ${resumed.at}.`,
    '',
    "This report holds only what run.db and the chain hold: the fleet's own measures (latencies, connections, CPU and memory) stopped with the run's process.",
    '',
  );
  if (resumed.previousReport !== null) lines.push(`The run's own report is kept as \`${resumed.previousReport}\`.`, '');
  lines.push('## What the stop cut short', '');
  for (const line of resumed.cutShort) lines.push(`- ${line}`);
  lines.push('', '## Checks', '');
  for (const check of report.checks) lines.push(`- ${check.ok ? '✔' : '✘'} **${check.name}**: ${check.detail}`);
  const rejected = Object.entries(counts.rejected).map(([reason, n]) => `\`${reason}\` ${fmtInt(n)}`).join(', ');
  lines.push(
    '',
    '## Messages',
    '',
    `${fmtInt(counts.published)} acknowledged publishes of the fleet in run.db; ${fmtInt(counts.accepted)} readings accepted; ` +
      `rejected: ${rejected === '' ? 'none' : rejected}; ${fmtInt(counts.unaccounted)} acknowledged publishes with neither a reading nor a rejection.`,
    '',
    '## Epochs',
    '',
    '| epoch | devices | readings | flagged | closed by | batches | settled |',
    '| ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  );
  for (const e of report.epochs) lines.push(`| ${e.epoch} | ${fmtInt(e.devices)} | ${fmtInt(e.readings)} | ${fmtInt(e.flagged)} | ${e.closedBy} | ${e.batches} | ${e.settled} |`);
  const tx = report.chain.transactions;
  lines.push(
    '',
    '## Settlement',
    '',
    `Proof jobs finished by the resume: ${resumed.jobsOwed} (${resumed.lostOnChain} of them recorded as settled but missing on the chain). ` +
      `Operator transactions of the resume: ${tx.sent} sent, ${tx.confirmed} confirmed, ${tx.failed} failed. ` +
      `Owners claimed in ${fmtInt(report.claims.claims)} transactions for ${fmtInt(report.claims.gasUsed)} gas.`,
    '',
    '## Rewards',
    '',
    `Total: ${fmtToken(report.rewards.totalWei)} PINR to ${report.rewards.perDevice.filter((d) => d.rewardWei !== '0').length} devices.`,
    '',
  );
  if (report.rewards.policy !== undefined) lines.push(...policyLines(report.rewards.policy));
  return lines.join('\n') + '\n';
}
