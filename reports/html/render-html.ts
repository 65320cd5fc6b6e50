import type { TrackSet } from '../output.ts';
import type { RunReport } from '../types.ts';
import { escapeHtml as e, jsonForScript, scriptForInline } from './embed.ts';
import type { LooseReport } from './loose-report.ts';
import { offlineHead, pageAsset, uplotAssets } from './offline-page.ts';
import { pageData } from './page-data.ts';
import { attached, chartFrame, header, headline, profiles, rejections, rewardPolicy, verdicts } from './sections.ts';

/** uPlot and the page's own script and style, inlined (reports/html/offline-page.ts says why). */
function assets(): { uplotJs: string; uplotCss: string; pageJs: string; pageCss: string } {
  return {
    ...uplotAssets(),
    pageJs: pageAsset(new URL('./page/report-page.js', import.meta.url)),
    pageCss: pageAsset(new URL('./page/report-page.css', import.meta.url)),
  };
}

/**
 * The run's report as one self-contained HTML page: headline figures and verdicts, charts
 * drawn by uPlot from data embedded as JSON, the tables, and a map of the device tracks.
 * Reports of older formats render too; a chart without its data says which field is missing.
 */
export function renderHtml(input: { report: RunReport | LooseReport; tracks: TrackSet }): string {
  const report = input.report as LooseReport;
  const data = pageData(report, input.tracks);
  const a = assets();
  const t = data.tracks;
  const connect = report.connectMs;
  const rewards = data.rewards;
  const title = `pinbench: ${report.scenario?.name ?? 'run'} — ${report.ok === true ? 'PASS' : 'FAIL'}`;
  return `${offlineHead(title, [a.uplotCss, a.pageCss])}
<body>
${header(report)}
${headline(report, rewards)}
${verdicts(report)}
<section><h2>Throughput and latency</h2><div class="grid">
${chartFrame('throughput', 'Published and accepted per second')}
${chartFrame('latency', 'Publish → accept latency per second: p50, p95, p99 (ms)')}
${chartFrame('states', 'Devices per state')}
${chartFrame('connections', 'Connect ramp: open connections', connect === undefined ? 'Connect times: not in this report.' : `Socket open → CONNACK: p50 ${connect.p50 ?? '–'} ms, p95 ${connect.p95 ?? '–'} ms, p99 ${connect.p99 ?? '–'} ms, max ${connect.max ?? '–'} ms over ${connect.samples ?? '–'} connects (reconnects included).`)}
</div></section>
<section><h2>The simulator's own load</h2><div class="grid">
${chartFrame('resources', "CPU (% of one core) and memory (RSS MiB) of the run's process")}
${chartFrame('lag', 'Event-loop lag p99 and device timer lateness p99 (ms)', 'Timer lateness is measured in real-time runs with the fleet in the run\'s process only.')}
</div></section>
<section><h2>Proofs and settlement</h2><div class="grid">
${chartFrame('proof-times', 'Proving time per batch (s)')}
${chartFrame('proof-queue', 'Proof queue: jobs waiting and being proven')}
${chartFrame('gas', 'Gas per settlement (one transaction per batch)')}
</div></section>
<section><h2>Rewards</h2><div class="grid">
${chartFrame('reward-histogram', 'Rewards per device (PINR)', rewards === null ? '' : `${rewards.devices.toLocaleString('en-US')} devices; ${rewards.unpaid.toLocaleString('en-US')} earned nothing.`)}
${chartFrame('lorenz', `Lorenz curve of the rewards${rewards?.gini === null || rewards === null ? '' : ` — Gini ${rewards.gini.toFixed(3)}`}`, 'Devices from the poorest to the richest against their share of the rewards; the diagonal is an equal split.')}
</div></section>
${rewardPolicy(report)}
${profiles(report)}
${rejections(report)}
${attached(report)}
<section><h2>Map of device tracks</h2>
${chartFrame('map', 'Device tracks (equirectangular, north up)', `${t.kept.toLocaleString('en-US')} of ${t.readings.toLocaleString('en-US')} positioned readings drawn (tracks downsampled per device).`)}
</section>
<footer>pinbench ${e(report.pinbench?.version ?? '')} · ${e(report.runDir ?? '')} · report.json beside this file holds every figure.</footer>
<script type="application/json" id="pinbench-data">${jsonForScript(data)}</script>
<script>${scriptForInline(a.uplotJs)}</script>
<script>${scriptForInline(a.pageJs)}</script>
</body>
</html>
`;
}
