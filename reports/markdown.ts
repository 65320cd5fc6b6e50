import type { PolicyReport, RunReport, WholeRunMemory } from './types.ts';
import { renderThresholds } from './thresholds-markdown.ts';
import { renderTimeline } from './timeline-markdown.ts';

export const fmtInt = (value: number | string): string => BigInt(value).toLocaleString('en-US');
const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
/** Wei as PINR with six decimals, cut (not rounded) so a figure never shows more than was paid. */
export const fmtToken = (wei: string | bigint): string => {
  const whole = BigInt(wei) / 10n ** 18n;
  const frac = (BigInt(wei) % 10n ** 18n).toString().padStart(18, '0').slice(0, 6);
  return `${whole}.${frac}`;
};

type Counts = RunReport['counts'];

/**
 * The Messages table: the fleet's acknowledged publishes by outcome, and apart from them what
 * came from outside the fleet, so the two never add up by accident; then what was refused that
 * was no reading (subscribes, connections closed on a packet). Reports that predate the split
 * show the old totals.
 */
export function renderPopulations(counts: Counts): string[] {
  const { fleet, outside } = counts;
  if (fleet === undefined || outside === undefined) {
    const rejectedTotal = Object.values(counts.rejected).reduce((a, b) => a + b, 0);
    return [
      '| published | received | accepted | rejected | unaccounted |', '| ---: | ---: | ---: | ---: | ---: |',
      `| ${fmtInt(counts.published)} | ${fmtInt(counts.received)} | ${fmtInt(counts.accepted)} | ${fmtInt(rejectedTotal)} | ${fmtInt(counts.unaccounted)} |`,
    ];
  }
  const lines = [
    '| from | published (acknowledged) | received | accepted | rejected | unaccounted |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| the fleet | ${fmtInt(counts.published)} | | ${fmtInt(fleet.accepted)} | ${fmtInt(fleet.rejected)} | ${fmtInt(fleet.unaccounted)} |`,
    `| outside the fleet (attached boards, other MQTT clients) | | ${fmtInt(outside.received)} | ${fmtInt(outside.accepted)} | ${fmtInt(outside.rejected)} | |`,
  ];
  const redelivered = counts.received - fleet.accepted - fleet.rejected - outside.received;
  if (redelivered > 0) lines.push('', `Also judged: ${fmtInt(redelivered)} more copies of fleet publishes (a publish sent again after a lost PUBACK arrives twice; the copy is rejected).`);
  const refused: string[] = [];
  if ((counts.refusedSubscribes ?? 0) > 0) refused.push(`${fmtInt(counts.refusedSubscribes!)} subscribe${counts.refusedSubscribes === 1 ? '' : 's'} (\`acl.subscribe\`)`);
  for (const [reason, n] of Object.entries(counts.closedConnections ?? {})) refused.push(`${fmtInt(n)} connection${n === 1 ? '' : 's'} closed (\`${reason}\`)`);
  if (refused.length > 0) lines.push('', `Refused apart from readings: ${refused.join(', ')}.`);
  return lines;
}

/** Session takeovers per device, flagged ones first named. */
export function renderTakeovers(takeovers: RunReport['broker']['takeovers']): string[] {
  if (takeovers === undefined || takeovers.total === 0) return [];
  const flagged = takeovers.devices.filter((d) => d.flagged);
  const list = (devices: typeof takeovers.devices) => devices.map((d) => `${d.deviceId} (${d.count})`).join(', ');
  return [
    '',
    `Session takeovers (a second login with a device's client id; the newer connection wins): ${fmtInt(takeovers.total)} on ${takeovers.devices.length} device${takeovers.devices.length === 1 ? '' : 's'}: ${list(takeovers.devices)}.` +
      (flagged.length > 0 ? ` **Flagged** (3 or more within 60 s: two clients share the device's login): ${list(flagged)}.` : ''),
  ];
}

/** A short human summary of a run: verdict, checks, counts, timings, gas, top rewards. */
export function renderMarkdown(report: RunReport): string {
  const lines: string[] = [];
  const verdict = report.ok ? 'PASS' : 'FAIL';
  lines.push(`# pinbench run: ${report.scenario.name} — ${verdict}`, '');
  lines.push(
    `${report.scenario.devices} devices, ${report.scenario.epochs} epochs of ${report.scenario.epochLengthS} s, seed ${report.scenario.seed}. ` +
      `Started ${report.startedAt}, finished ${report.finishedAt}.`,
    '',
  );
  if (report.stoppedByUser !== undefined) {
    const open = report.stoppedByUser.epochsOpen;
    lines.push(
      `**Stopped by the user** at simulated ${new Date(report.stoppedByUser.atSimS * 1000).toISOString()}: the epochs that had closed are settled` +
        (open.length === 0 ? '.' : `; epoch${open.length === 1 ? '' : 's'} ${open.join(', ')} stayed open (their readings are in run.db, unsettled).`),
      '',
    );
  }
  lines.push(...renderThresholds(report.thresholds));
  lines.push('## Checks', '');
  for (const check of report.checks) lines.push(`- ${check.ok ? '✔' : '✘'} **${check.name}**: ${check.detail}`);
  lines.push('', '## Messages', '');
  lines.push(...renderPopulations(report.counts));
  const { proposed, confirmed, refused } = report.registration;
  if (proposed > 0) {
    lines.push('', `Registration by the confirm exchange: ${fmtInt(proposed)} owner proposals, ${fmtInt(confirmed)} devices confirmed and registered, ${fmtInt(refused)} confirms refused.`);
  }
  const refusedLogins = Object.entries(report.counts.refusedLogins);
  if (refusedLogins.length > 0) {
    lines.push('', 'Logins refused: ' + refusedLogins.map(([reason, n]) => `\`${reason}\` ${n}`).join(', ') + '.');
  }
  const reasons = Object.entries(report.counts.rejected);
  if (reasons.length > 0) {
    lines.push('', 'Rejected by reason: ' + reasons.map(([reason, n]) => `\`${reason}\` ${n}`).join(', ') + '.');
  }
  lines.push(...renderTakeovers(report.broker.takeovers));
  lines.push(
    '',
    `Publish → accept latency (wall clock): p50 ${report.latencyMs.p50.toFixed(1)} ms, p95 ${report.latencyMs.p95.toFixed(1)} ms, ` +
      `p99 ${report.latencyMs.p99.toFixed(1)} ms over ${fmtInt(report.latencyMs.samples)} readings. ` +
      `Publish → PUBACK: p50 ${report.ackLatencyMs.p50.toFixed(1)} ms, p99 ${report.ackLatencyMs.p99.toFixed(1)} ms.`,
  );
  const timeline = renderTimeline(report.events);
  if (timeline.length > 0) lines.push('', ...timeline);
  lines.push('', ...renderAttached(report));
  lines.push('', ...renderPerformance(report.performance));
  lines.push('', '## Stages', '', '| stage | time |', '| --- | ---: |');
  for (const [stage, ms] of Object.entries(report.timingsMs)) lines.push(`| ${stage} | ${fmtMs(ms)} |`);
  lines.push('', '## Proofs and settlement', '');
  lines.push(
    `Circuit ${report.circuit.key.slice(0, 12)}: ${report.circuit.batchSize} devices × ${report.circuit.readingsPerDevice} readings per proof, ` +
      `${fmtInt(report.circuit.constraints)} constraints, powers of tau 2^${report.circuit.ptauPower}.`,
  );
  lines.push(
    `${report.proofs.count} proofs: p50 ${fmtMs(report.proofs.proveMsP50)}, max ${fmtMs(report.proofs.proveMsMax)}; ` +
      `epoch close → settlement mined p50 ${fmtMs(report.proofs.closeToMinedMsP50)}, p95 ${fmtMs(report.proofs.closeToMinedMsP95)}. ` +
      `Gas from receipts: deploy ${fmtInt(report.gas.deploy)}, registration ${fmtInt(report.gas.register)}, ` +
      (report.gas.stake === undefined ? '' : `bonding stakes ${fmtInt(report.gas.stake)}, `) +
      `settlement ${fmtInt(report.gas.settleTotal)} in all (≤ ${fmtInt(report.gas.settlePerBatchMax)} per batch, ${fmtInt(report.gas.perDeviceEpoch)} per device-epoch, ` +
      `${report.gas.calldataBytesPerDeviceEpoch} calldata bytes per device-epoch). ` +
      `Settlement accrues; owners then claimed in ${fmtInt(report.gas.claims)} transactions for ${fmtInt(report.gas.claimTotal)} gas, paid by them. ` +
      `Operator transactions: ${report.chain.transactions.sent} sent pre-signed, ${report.chain.transactions.rebroadcast} re-sent after a drop, ${report.chain.transactions.failed} failed.` +
      chainOutages(report.chain.transactions),
  );
  if (report.profiles.length > 0) {
    lines.push('', '## Device profiles', '', 'Flagged device-epochs are not paid. For honest profiles (no adversary) every flagged device is a false positive.', '');
    lines.push('| profile | devices | published | accepted | rejected | flagged device-epochs | flagged devices | reward per device (PINR) |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const p of report.profiles) {
      lines.push(
        `| ${p.profile} | ${p.devices} | ${fmtInt(p.published)} | ${fmtInt(p.accepted)} | ${fmtInt(p.rejected)} | ${p.flaggedDeviceEpochs} | ${p.flaggedDevices}${p.adversary === null && p.flaggedDevices > 0 ? ' (false positives)' : ''} | ${fmtToken(p.rewardPerDeviceWei)} |`,
      );
    }
  }
  lines.push('', '## Rewards', '', `Total claimed: ${fmtToken(report.rewards.totalWei)} PINR.`, '');
  if (report.rewards.policy !== undefined) lines.push(...policyLines(report.rewards.policy));
  lines.push('| device | motion | samples | units | reward (PINR) |', '| --- | --- | ---: | ---: | ---: |');
  const top = [...report.rewards.perDevice].sort((a, b) => (BigInt(b.rewardWei) > BigInt(a.rewardWei) ? 1 : -1)).slice(0, 10);
  for (const d of top) lines.push(`| ${d.deviceId} | ${d.motion} | ${d.samples} | ${fmtInt(d.units)} | ${fmtToken(d.rewardWei)} |`);
  if (report.rewards.perDevice.length > top.length) lines.push('', `(top ${top.length} of ${report.rewards.perDevice.length}; all in report.json)`);
  lines.push('', `Contracts on ${report.chain.rpcUrl} (chain ${report.chain.chainId}): settlement ${report.chain.contracts.settlement}, token ${report.chain.contracts.token}.`, '');
  return lines.join('\n');
}

/** Evenly spaced rows, first and last included. */
function pick<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max) return [...rows];
  return Array.from({ length: max }, (_, i) => rows[Math.round((i * (rows.length - 1)) / (max - 1))]!);
}

function memory(p: RunReport['performance']): string {
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
  if (p.childPeakRssBytes === null) return `${mib(p.peakRssBytes)} MiB`;
  return `${mib(p.peakRssBytes + p.childPeakRssBytes)} MiB (run ${mib(p.peakRssBytes)} MiB + fleet process ${mib(p.childPeakRssBytes)} MiB)`;
}

function wholeRunMemory(m: WholeRunMemory): string {
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
  const each = [`run ${mib(m.runPeakBytes)}`];
  if (m.fleetPeakBytes !== null) each.push(`fleet process ${mib(m.fleetPeakBytes)}`);
  if (m.chainPeakBytes !== null) each.push(`anvil ${mib(m.chainPeakBytes)}`);
  if (m.proverPeakBytes !== null) each.push(`provers ${mib(m.proverPeakBytes)}`);
  return `Whole run, settlement and claims included: peak memory ${mib(m.peakTotalBytes)} for all its processes at once (each one's own peak: ${each.join(', ')}).`;
}

/** The performance section of any run's report: rates, memory, CPU, lag, the timeline. */
export function renderPerformance(p: RunReport['performance']): string[] {
  const lines = ['## Performance', ''];
  lines.push(
    `${p.timeMode === 'realtime' ? 'Real time' : `Accelerated time, ${p.simSpeed}× real time`}. Accepted ${fmtInt(p.acceptedPerSecond.mean)} readings/s on average, ` +
      `${fmtInt(p.acceptedPerSecond.peak)}/s at peak; peak memory ${memory(p)}; CPU ${Math.round(p.cpuPercentOfCore)} % of one core; ` +
      `event-loop lag p99 ${p.loopLagMs.p99.toFixed(1)} ms (max ${p.loopLagMs.max.toFixed(0)} ms).`,
  );
  if (p.wholeRun !== null) lines.push('', wholeRunMemory(p.wholeRun));
  if (p.timerLatenessMs !== null && p.timerLatenessMs.samples > 0) {
    const late = p.timerLatenessMs;
    const verdict = late.p99 <= 50 ? 'the load generator kept its schedule, so it was not the bottleneck' : 'device timers fired late: the load generator, not the system under test, set the pace';
    lines.push('', `Simulator overhead: device timers fired p50 ${late.p50} ms, p99 ${late.p99} ms late (max ${late.max} ms) — ${verdict}.`);
  }
  const rows = pick(p.timeline, 12);
  if (rows.length > 0) {
    lines.push('', '| t (s) | sim time | published/s | accepted/s | connections | online | other states | CPU % | RSS MiB | lag p99 ms |');
    lines.push('| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |');
    for (const r of rows) {
      const others = Object.entries(r.states).filter(([state]) => state !== 'online').map(([state, n]) => `${state} ${n}`).join(', ');
      lines.push(
        `| ${r.tS} | ${new Date(r.simTimeS * 1000).toISOString().slice(11, 19)} | ${fmtInt(r.publishedPerS)} | ${fmtInt(r.acceptedPerS)} | ${fmtInt(r.connections)} | ${fmtInt(r.states.online ?? 0)} | ${others} | ${r.cpuPercent} | ${r.rssMb} | ${r.loopLagP99Ms.toFixed(1)} |`,
      );
    }
    lines.push('', `(${p.timeline.length} samples, one a second, in report.json under performance.timeline)`);
  }
  return lines;
}

/** Real devices' rows: what each sent, what became of it, and what its owner can claim. */
function renderAttached(report: RunReport): string[] {
  const { listeners, mode, url, dropped, connects, refusedConnects } = report.broker;
  const refused = Object.entries(refusedConnects).map(([reason, n]) => `${reason} ${fmtInt(n)}`).join(', ');
  const lines = [
    '## Broker and attached devices',
    '',
    mode === 'external'
      ? `Your broker at \`${url}\`: the devices connected to it and pinbench's backend was a client of it. ${fmtInt(dropped)} publishes it acknowledged to a device never reached the backend (dropped by the broker, e.g. refused by its ACL).`
      : `Listeners: ${listeners.map((u) => `\`${u}\``).join(', ')}.`,
    '',
    `Device connections: ${fmtInt(connects)} made (reconnects included)${refused === '' ? ', none refused' : `; failed: ${refused}`}.`,
  ];
  const { attached } = report;
  if (attached.length === 0) return lines;
  lines.push(
    '',
    'Owners of attached devices claim for themselves: `pinbench claim <run folder> --owner-key <hex>`.',
    '',
    '| device | from | state | registry index | publishes | accepted | rejected by reason | flagged epochs (unpaid) | units accrued on chain | reward (PINR) |',
    '| --- | --- | --- | ---: | ---: | ---: | --- | --- | ---: | ---: |',
  );
  for (const d of attached) {
    const rejected = Object.entries(d.rejected).map(([reason, n]) => `${reason} ${n}`).join(', ') || '–';
    lines.push(
      `| ${d.deviceId} | ${d.source} | ${d.state} | ${d.deviceIndex ?? '–'} | ${fmtInt(d.publishes)} | ${fmtInt(d.accepted)} | ${rejected} | ${d.flaggedEpochs.join(', ') || '–'} | ${d.unitsAccrued} | ${fmtToken(d.rewardWei)} |`,
    );
  }
  return lines;
}

/** Only when the chain went away during the run (chain.restart, a node restarted under --rpc). */
function chainOutages(tx: RunReport['chain']['transactions']): string {
  if (tx.outages === 0 && tx.lostNoncesResent === 0) return '';
  const lost = tx.lostNoncesResent === 0 ? '' : `; ${tx.lostNoncesResent} it had lost (it came back from an older state) sent again with their signed bytes`;
  return ` The node stopped answering ${tx.outages} ${tx.outages === 1 ? 'time' : 'times'} and the transactions waited for it${lost}.`;
}

/** The reward policy's lines of a run's or a resumed run's Rewards section: per epoch T_e, emitted, paid and dust; stakes. */
export function policyLines(policy: PolicyReport): string[] {
  const lines = [`Paid by a ${policy.emission} reward policy${policy.params === undefined ? '' : ` with --params ${policy.params}`} (core/reward-policy/).`, ''];
  if (policy.epochs.length > 0) {
    lines.push('| epoch | units (T_e) | emitted (PINR) | paid (PINR) | dust (wei) |', '| ---: | ---: | ---: | ---: | ---: |');
    for (const e of policy.epochs) lines.push(`| ${e.epoch} | ${fmtInt(e.totalUnits)} | ${fmtToken(e.emissionWei)} | ${fmtToken(e.paidWei)} | ${e.dustWei} |`);
    lines.push('');
  }
  if (policy.stake !== undefined) {
    const st = policy.stake;
    lines.push(
      `Stakes: ${st.bondedDevices} devices bonded with ${fmtToken(st.perDeviceWei)} PINR each; ${st.flaggedDeviceEpochs} flagged device-epochs slashed ${fmtToken(st.slashedWei)} PINR ` +
        `(${st.slashBps} bps of the stake left each), locked in the settlement contract.`,
      '',
    );
  }
  return lines;
}
