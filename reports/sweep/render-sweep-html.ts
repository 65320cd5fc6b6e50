import { escapeHtml as e, jsonForScript, scriptForInline } from '../html/embed.ts';
import { offlineHead, pageAsset, uplotAssets } from '../html/offline-page.ts';
import type { LooseSweep } from './loose-sweep.ts';
import { sweepMetrics } from './sweep-metrics-info.ts';
import { sweepAxes } from './sweep-grid.ts';
import { sweepPageData } from './sweep-page-data.ts';
import type { SweepResult } from './sweep-result.ts';
import { sweepCalibration, sweepCards, sweepHeader, sweepObjective, sweepTable } from './sweep-sections.ts';

/**
 * A sweep as one self-contained HTML page, opened offline like the run's report.html (same
 * uPlot inlined, same policy refusing every request, and the run report's style under the
 * sweep's own): the objective and its best set, the calibration, one chart per metric across
 * the grid, and a table of every set. A sweep.json of another version renders too: what it
 * lacks says "not in this sweep".
 */
export function renderSweepHtml(result: SweepResult | LooseSweep): string {
  const sweep = result as LooseSweep;
  const data = sweepPageData(sweep);
  const { axes } = sweepAxes(sweep);
  const { metrics } = sweepMetrics(sweep);
  const { uplotJs, uplotCss } = uplotAssets();
  const baseCss = pageAsset(new URL('../html/page/report-page.css', import.meta.url));
  const sweepCss = pageAsset(new URL('./page/sweep-page.css', import.meta.url));
  const pageJs = pageAsset(new URL('./page/sweep-page.js', import.meta.url));
  const x = data.x;
  return `${offlineHead(`pinbench sweep: ${sweep.scenario?.name ?? 'sweep'}`, [uplotCss, baseCss, sweepCss])}
<body>
${sweepHeader(sweep, axes)}
${sweepCards(sweep)}
${sweepObjective(sweep, metrics)}
${charts(data, x)}
${sweepTable(sweep, axes, metrics)}
${sweepCalibration(sweep)}
<footer>pinbench sweep · sweep.json beside this file holds every figure; sweep.csv one row per set.</footer>
<script type="application/json" id="pinbench-sweep-data">${jsonForScript(data)}</script>
<script>${scriptForInline(uplotJs)}</script>
<script>${scriptForInline(pageJs)}</script>
</body>
</html>
`;
}

/** The charts' frames, a section per metric group; the page's script draws into each `.plot`. */
function charts(data: ReturnType<typeof sweepPageData>, x: ReturnType<typeof sweepPageData>['x']): string {
  const head = '<section id="charts"><h2>Metrics across the grid</h2>';
  const notes = data.notes.map((n) => `<p class="note">${e(n)}</p>`).join('');
  // No set on the grid: one line, not a dozen empty charts.
  if (data.series.length === 0 || data.charts.length === 0) return `${head}${notes}<p class="missing">${data.series.length === 0 ? 'This sweep has no parameter sets on a grid: nothing to chart.' : 'not in this sweep: it has no metrics'}</p></section>`;
  const how = x === null ? '' : `x: ${x.name}${x.numeric ? (x.log ? ' on a log scale' : '') : ' (its values in grid order)'}; ${data.series.length > 1 ? 'one line per combination of the other axes (click one in the legend to hide it in every chart);' : 'one line;'} a dot at the mean over the seeds, a thin whisker from min to max and a thick one ±1 sd.${data.best === null ? '' : ' The ring marks the best set.'}${data.charts.some((c) => c.bounds.length > 0) ? ' A constraint of the objective is a dashed red line on its metric\'s chart, the side where sets fail it shaded.' : ''}`;
  const index = new Map(data.charts.map((c, i) => [c.id, i]));
  const groups = data.groups.map((g) => `<h3>${e(g.title)}</h3><div class="grid">${g.ids.map((id) => {
    const c = data.charts[index.get(id)!]!;
    const title = c.unit === '' ? c.label : `${c.label} (${c.unit})`;
    const tags = [
      ...(c.objective === null ? [] : [`<span class="tag objective">objective: ${c.objective}</span>`]),
      ...c.bounds.map((b) => `<span class="tag bound">s.t. ${e(b.source)}</span>`),
    ].join(' ');
    return `<figure class="chart" id="chart-m${index.get(id)}"><figcaption title="${e(c.id)}">${e(title)}${tags === '' ? '' : ` ${tags}`}</figcaption><div class="plot"></div><div class="readout"></div>${c.description === '' ? '' : `<p class="note">${e(c.description)}</p>`}</figure>`;
  }).join('')}</div>`);
  return `${head}${notes}<p class="note">${e(how)}</p><div id="legend" class="legend series-legend"></div>${groups.join('')}</section>`;
}
