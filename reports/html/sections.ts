import type { LooseReport } from './loose-report.ts';
import type { RewardDistribution } from './reward-distribution.ts';
import { escapeHtml as e } from './embed.ts';

/**
 * The parts of report.html that are text and tables, written as HTML here rather than by the
 * page's script: they show with scripts off and are what a reader skims first. Every value is
 * read through `?.`: a field an older report lacks shows as "–".
 */

const int = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const ms = (n: number | undefined) => (n === undefined ? '–' : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(1)} ms`);
const mib = (bytes: number | undefined) => (bytes === undefined ? '–' : `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MiB`);
const decimal = (value: unknown): bigint | undefined => (typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : undefined);
const gas = (value: unknown) => decimal(value)?.toLocaleString('en-US') ?? '–';

/** Wei as PINR with six decimals, cut (not rounded), as report.md writes it. */
export function token(wei: bigint | undefined): string {
  if (wei === undefined) return '–';
  const frac = (wei % 10n ** 18n).toString().padStart(18, '0').slice(0, 6);
  return `${(wei / 10n ** 18n).toLocaleString('en-US')}.${frac}`;
}

export function header(report: LooseReport): string {
  const s = report.scenario;
  const verdict = report.ok === true ? 'PASS' : report.ok === false ? 'FAIL' : '–';
  return `<header>
<h1>pinbench run: ${e(s?.name ?? '(unnamed)')} <span class="verdict ${verdict === 'PASS' ? 'pass' : 'fail'}">${verdict}</span></h1>
<p>${int(s?.devices)} devices, ${int(s?.epochs)} epochs of ${int(s?.epochLengthS)} s, seed ${e(s?.seed ?? '–')}. Started ${e(report.startedAt ?? '–')}, finished ${e(report.finishedAt ?? '–')}. ${e(report.performance?.timeMode === 'realtime' ? 'Real time' : report.performance?.simSpeed !== undefined ? `Accelerated, ${report.performance.simSpeed}× real time` : '')}</p>
</header>`;
}

/** The headline figures, as cards. */
export function headline(report: LooseReport, rewards: RewardDistribution | null): string {
  const c = report.counts;
  const rejected = Object.values(c?.rejected ?? {}).reduce<number>((a, b) => a + (b ?? 0), 0);
  const l = report.latencyMs;
  const p = report.performance;
  const peakMemory = p?.wholeRun?.peakTotalBytes ?? (p?.peakRssBytes === undefined ? undefined : p.peakRssBytes + (p.childPeakRssBytes ?? 0));
  const cards: Array<[string, string, string?]> = [
    ['published', int(c?.published), `accepted ${int(c?.accepted)}, rejected ${int(rejected)}, unaccounted ${int(c?.unaccounted)}`],
    ['accepted / s', int(p?.acceptedPerSecond?.mean), `peak ${int(p?.acceptedPerSecond?.peak)}/s`],
    ['publish → accept p99', ms(l?.p99), `p50 ${ms(l?.p50)}, p95 ${ms(l?.p95)}`],
    ['connect p99', ms(report.connectMs?.p99), report.connectMs === undefined ? 'not in this report' : `p50 ${ms(report.connectMs.p50)} over ${int(report.connectMs.samples)} connects`],
    ['proofs', int(report.proofs?.count), `prove p50 ${ms(report.proofs?.proveMsP50)}, close → mined p95 ${ms(report.proofs?.closeToMinedMsP95)}`],
    ['gas per device-epoch', gas(report.gas?.perDeviceEpoch), `settlement ${gas(report.gas?.settleTotal)} in all`],
    ['rewards (PINR)', token(decimal(report.rewards?.totalWei)), rewards?.gini === null || rewards === null ? 'Gini –' : `Gini ${rewards.gini.toFixed(3)}`],
    ['peak memory', mib(peakMemory), `CPU ${int(p?.cpuPercentOfCore)} % of a core, loop lag p99 ${ms(p?.loopLagMs?.p99)}`],
  ];
  return `<section class="cards">${cards.map(([label, value, more]) => `<div class="card"><div class="label">${e(label)}</div><div class="value">${e(value)}</div>${more === undefined ? '' : `<div class="more">${e(more)}</div>`}</div>`).join('')}</section>`;
}

/** The built-in checks and the scenario's thresholds, with their verdicts. */
export function verdicts(report: LooseReport): string {
  const checks = report.checks ?? [];
  const rows = checks.map((c) => `<li class="${c.ok ? 'ok' : 'bad'}"><span class="mark">${c.ok ? '✔' : '✘'}</span> <b>${e(c.name ?? '')}</b>: ${e(c.detail ?? '')}</li>`);
  let html = `<section><h2>Checks</h2>${checks.length === 0 ? '<p class="missing">not in this report: it has no checks</p>' : `<ul class="checks">${rows.join('')}</ul>`}`;
  const thresholds = report.thresholds ?? [];
  if (thresholds.length > 0) {
    html += `<h3>Thresholds</h3><table class="thresholds"><thead><tr><th></th><th>threshold</th><th>measured</th><th></th></tr></thead><tbody>${thresholds
      .map((t) => `<tr class="${t.ok ? 'ok' : 'bad'}"><td class="mark">${t.ok ? '✔' : '✘'}</td><td><code>${e(t.expression ?? '')}</code></td><td class="num">${e(t.measuredText ?? '')}</td><td>${t.aborted ? 'stopped the run' : ''}</td></tr>`)
      .join('')}</tbody></table>`;
  }
  return html + '</section>';
}

/**
 * One row per device profile. The cost of cheating: what an adversary's device earned against
 * the honest devices' average (all profiles without an adversary), so −100 % means cheating
 * paid nothing.
 */
export function profiles(report: LooseReport): string {
  const rows = report.profiles ?? [];
  if (rows.length === 0) return `<section><h2>Device profiles</h2><p class="missing">not in this report: ${report.profiles === undefined ? 'report.json has no profiles' : 'no device profile'}</p></section>`;
  let honestWei = 0n;
  let honestDevices = 0n;
  for (const r of rows) {
    if (r.adversary === null && decimal(r.rewardWei) !== undefined) {
      honestWei += decimal(r.rewardWei)!;
      honestDevices += BigInt(r.devices ?? 0);
    }
  }
  const honestPerDevice = honestDevices === 0n ? null : honestWei / honestDevices;
  const vsHonest = (perDevice: bigint | undefined): string => {
    if (perDevice === undefined || honestPerDevice === null || honestPerDevice === 0n) return '–';
    const change = Number(((perDevice - honestPerDevice) * 10_000n) / honestPerDevice) / 100;
    return `${change > 0 ? '+' : ''}${change.toFixed(1)} %`;
  };
  const body = rows.map((r) => {
    const perDevice = decimal(r.rewardPerDeviceWei);
    const falsePositive = r.adversary === null && (r.flaggedDevices ?? 0) > 0 ? ' <span class="bad">(false positives)</span>' : '';
    return `<tr><td>${e(r.profile ?? '')}</td><td>${e(r.adversary ?? 'honest')}</td><td class="num">${int(r.devices)}</td><td class="num">${int(r.published)}</td><td class="num">${int(r.accepted)}</td><td class="num">${int(r.rejected)}</td><td class="num">${int(r.flaggedDeviceEpochs)}</td><td class="num">${int(r.flaggedDevices)}${falsePositive}</td><td class="num">${token(perDevice)}</td><td class="num">${r.adversary === null ? '' : vsHonest(perDevice)}</td></tr>`;
  });
  return `<section><h2>Device profiles</h2><p class="note">Flagged device-epochs are not paid. The cost of cheating: an adversary's reward per device against the honest devices' average${honestPerDevice === null ? ' (no honest profile in this run)' : ` (${token(honestPerDevice)} PINR)`}.</p>
<table><thead><tr><th>profile</th><th>adversary</th><th>devices</th><th>published</th><th>accepted</th><th>rejected</th><th>flagged device-epochs</th><th>flagged devices</th><th>reward per device (PINR)</th><th>vs honest</th></tr></thead><tbody>${body.join('')}</tbody></table></section>`;
}

/** Rejections by reason, largest first, with a bar for each reason's share. */
export function rejections(report: LooseReport): string {
  const byReason = Object.entries(report.counts?.rejected ?? {}).map(([reason, n]) => [reason, n ?? 0] as const).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (report.counts?.rejected === undefined) return '<section><h2>Rejections by reason</h2><p class="missing">not in this report: report.json has no counts.rejected</p></section>';
  if (byReason.length === 0) return '<section><h2>Rejections by reason</h2><p>None: every message the ingest judged was accepted.</p></section>';
  const total = byReason.reduce((a, [, n]) => a + n, 0);
  const rows = byReason.map(([reason, n]) => `<tr><td><code>${e(reason)}</code></td><td class="num">${int(n)}</td><td class="bar"><span style="width:${((100 * n) / total).toFixed(1)}%"></span></td></tr>`);
  return `<section><h2>Rejections by reason</h2><table><thead><tr><th>reason</th><th>count</th><th>share</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** Real devices attached to the run, when there were any. */
export function attached(report: LooseReport): string {
  const devices = report.attached ?? [];
  if (devices.length === 0) return '';
  const rows = devices.map((d) => `<tr><td>${e(d.deviceId ?? '')}</td><td>${e(d.state ?? '')}</td><td class="num">${int(d.publishes)}</td><td class="num">${int(d.accepted)}</td><td>${e((d.flaggedEpochs ?? []).join(', ') || '–')}</td><td class="num">${token(decimal(d.rewardWei))}</td></tr>`);
  return `<section><h2>Attached devices</h2><table><thead><tr><th>device</th><th>state</th><th>publishes</th><th>accepted</th><th>flagged epochs</th><th>reward (PINR)</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** A chart's frame: the page's script draws into the `.plot` or writes why it cannot. */
export function chartFrame(id: string, title: string, caption = ''): string {
  return `<figure class="chart" id="chart-${e(id)}"><figcaption>${e(title)}</figcaption><div class="plot"></div>${caption === '' ? '' : `<p class="note">${e(caption)}</p>`}</figure>`;
}

/**
 * A run paid by a reward policy (report.json rewards.policy): per epoch T_e, emitted, paid and
 * the unminted dust, and what the stakes lost; nothing for today's rule.
 */
export function rewardPolicy(report: LooseReport): string {
  const policy = report.rewards?.policy;
  if (policy === undefined) return '';
  const rows = (policy.epochs ?? []).map((x) =>
    `<tr><td class="num">${int(x.epoch)}</td><td class="num">${gas(x.totalUnits)}</td><td class="num">${token(decimal(x.emissionWei))}</td><td class="num">${token(decimal(x.paidWei))}</td><td class="num">${gas(x.dustWei)}</td></tr>`);
  const st = policy.stake;
  const stake = st === undefined
    ? ''
    : `<p>Stakes: ${int(st.bondedDevices)} devices bonded with ${token(decimal(st.perDeviceWei))} PINR each; ${int(st.flaggedDeviceEpochs)} flagged device-epochs slashed ${token(decimal(st.slashedWei))} PINR (${int(st.slashBps)} bps of the stake left each), locked in the settlement contract.</p>`;
  return `<section><h2>Reward policy</h2><p>Paid by a ${e(policy.emission ?? '–')} reward policy${policy.params === undefined ? '' : ` with <code>--params ${e(policy.params)}</code>`}.</p>${
    rows.length === 0 ? '' : `<table class="policy"><thead><tr><th>epoch</th><th>units (T_e)</th><th>emitted (PINR)</th><th>paid (PINR)</th><th>dust (wei)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  }${stake}</section>`;
}
