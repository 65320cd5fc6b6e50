import { escapeHtml as e } from '../html/embed.ts';
import type { LooseSweep } from './loose-sweep.ts';
import { formatMeanSd, formatNumber, shellWord } from './sweep-format.ts';
import { setParams, type GridAxis } from './sweep-grid.ts';
import type { SweepMetricInfo } from './sweep-result.ts';

/**
 * The parts of sweep.html that are text and tables, written as HTML here rather than by the
 * page's script: they show with scripts off and are what a reader skims first. Every value is
 * read through `?.`: a field an older sweep.json lacks shows as "–" or "not in this sweep".
 */

const int = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const notIn = (what: string) => `<p class="missing">not in this sweep: ${e(what)}</p>`;

function seedsText(seeds: readonly (number | undefined)[] | undefined): string {
  if (seeds === undefined) return 'seeds –';
  const list = seeds.length <= 8 ? ` (${seeds.join(', ')})` : ` (${seeds.slice(0, 3).join(', ')}, …, ${seeds.at(-1)})`;
  return `${seeds.length} seed${seeds.length === 1 ? '' : 's'}${seeds.length === 0 ? '' : list}`;
}

export function sweepHeader(sweep: LooseSweep, axes: readonly GridAxis[]): string {
  const s = sweep.scenario;
  const sets = sweep.sets?.length;
  const shape = axes.length === 0 ? '' : `: ${axes.map((a) => `${a.name} (${a.values.length})`).join(' × ')}`;
  return `<header>
<h1>pinbench sweep: ${e(s?.name ?? '(unnamed)')}</h1>
<p>${int(s?.devices)} devices × ${int(s?.epochs)} epochs, ${e(seedsText(sweep.seeds))}, ${int(sets)} parameter set${sets === 1 ? '' : 's'}${e(shape)}.</p>
<p>Scenario <code>${e(s?.path ?? '–')}</code>${s?.hash === undefined ? '' : `, hash <code>${e(s.hash.slice(0, 16))}</code>`}. Swept ${e(sweep.createdAt ?? '–')}.${sweep.formatVersion !== undefined && sweep.formatVersion !== 1 ? ` Written as sweep format ${e(sweep.formatVersion)}; drawn as format 1.` : ''}</p>
</header>`;
}

/** The headline figures, as cards: the run's size and speed and how far the fast model can be trusted. */
export function sweepCards(sweep: LooseSweep): string {
  const t = sweep.timing;
  const c = sweep.calibration;
  const error = c?.worstRelativeError;
  const cards: Array<[string, string, string]> = [
    ['parameter sets', int(sweep.sets?.length), `${seedsText(sweep.seeds)} each`],
    ['device-epochs', int(t?.deviceEpochs), t === undefined ? 'timing not in this sweep' : `in ${formatNumber((t.wallMs ?? NaN) / 1000, 1)} s of wall time`],
    ['device-epochs / s', int(t?.deviceEpochsPerSecond), t === undefined ? 'timing not in this sweep' : `on ${int(t.workers)} worker${t.workers === 1 ? '' : 's'}`],
    ['calibration error', c === undefined ? '–' : typeof error === 'number' ? `${formatNumber(100 * error, 1)} %` : 'not compared', c === undefined ? 'calibration not in this sweep' : 'worst relative, against a full run'],
  ];
  return `<section class="cards">${cards.map(([label, value, more]) => `<div class="card"><div class="label">${e(label)}</div><div class="value">${e(value)}</div><div class="more">${e(more)}</div></div>`).join('')}</section>`;
}

/** The objective, its best set and the command that runs that set through the full pipeline. */
export function sweepObjective(sweep: LooseSweep, metrics: readonly SweepMetricInfo[]): string {
  const o = sweep.objective;
  const head = '<section id="objective"><h2>Objective</h2>';
  if (o === undefined) return `${head}${notIn("no objective was given (pinbench sweep … --objective 'max honestShare s.t. gini < 0.4')")}</section>`;
  const total = sweep.sets?.length;
  const feasible = `${int(o.feasibleSets)} of ${int(total)} sets meet the constraints (on their means).`;
  const text = `<p class="objective-text"><code>${e(o.text ?? '–')}</code></p>`;
  if (o.bestSetId === undefined) return `${head}${text}<div class="best none"><b>No set meets the constraints.</b> ${e(feasible)}</div></section>`;
  const best = sweep.sets?.find((s) => s.id === o.bestSetId);
  if (best === undefined) return `${head}${text}<div class="best none"><b>The best set, id ${e(o.bestSetId)}, is not in this sweep's sets.</b> ${e(feasible)}</div></section>`;
  const label = best.label ?? '';
  const command = `pinbench run ${shellWord(sweep.scenario?.path ?? '<scenario>')} --params ${shellWord(label)}`;
  const figures = metrics.map((m) => {
    const value = formatMeanSd(best.metrics?.[m.name]?.mean, best.metrics?.[m.name]?.sd);
    return `<li><span class="k">${e(m.label)}</span> ${e(value)}${m.unit === '' || value === '–' ? '' : ` <span class="unit">${e(m.unit)}</span>`}</li>`;
  });
  return `${head}${text}<div class="best"><div class="best-label">Best set: <code>${e(label)}</code> <span class="star">★</span></div>
<p>${e(feasible)} Confirm it through the full pipeline (broker, proofs, chain):</p>
<pre class="command"><code>${e(command)}</code></pre>
<ul class="figures">${figures.join('')}</ul></div></section>`;
}

export function sweepCalibration(sweep: LooseSweep): string {
  const c = sweep.calibration;
  const head = '<section><h2>Calibration</h2>';
  if (c === undefined) return `${head}${notIn('sweep.json has no calibration')}</section>`;
  const error = typeof c.worstRelativeError === 'number' ? `worst relative error ${formatNumber(100 * c.worstRelativeError, 1)} %` : 'error: not compared with a full run';
  return `${head}<p>The fast model drew device-epochs from pools calibrated on the full device models: <code>${e(c.key ?? '–')}</code>, ${int(c.devicesPerProfile)} devices per profile; ${e(error)}.</p>${c.note === undefined || c.note === '' ? '' : `<p class="note">${e(c.note)}</p>`}</section>`;
}

/**
 * Every set, one row, sortable by any column on the page (the script sorts by each cell's
 * data-v). The best set's row is marked.
 */
export function sweepTable(sweep: LooseSweep, axes: readonly GridAxis[], metrics: readonly SweepMetricInfo[]): string {
  const sets = sweep.sets ?? [];
  const head = '<section><h2>Every parameter set</h2>';
  if (sweep.sets === undefined) return `${head}${notIn('sweep.json has no sets')}</section>`;
  if (sets.length === 0) return `${head}<p class="missing">This sweep has no parameter sets.</p></section>`;
  const bestId = sweep.objective?.bestSetId;
  const th = (text: string, kind: 'num' | 'text', title = '') => `<th data-sort="${kind}"${title === '' ? '' : ` title="${e(title)}"`}>${e(text)}</th>`;
  const header = [
    th('#', 'num', 'the set\'s id, in the order the sets were run'),
    th('label', 'text', 'what pinbench run <scenario> --params takes'),
    ...axes.map((a) => th(a.name, 'text', 'grid axis')),
    ...metrics.map((m) => th(m.unit === '' ? m.label : `${m.label} (${m.unit})`, 'num', `${m.name}: ${m.description} Mean ± sd over the seeds.`)),
  ];
  const rows = sets.map((s) => {
    const best = s.id !== undefined && s.id === bestId;
    const params = setParams(s);
    const cells = [
      `<td class="num" data-v="${e(s.id ?? '')}">${best ? '<span class="star" title="best under the objective">★</span> ' : ''}${e(s.id ?? '–')}</td>`,
      `<td><code>${e(s.label ?? '–')}</code></td>`,
      ...axes.map((a) => `<td data-v="${e(params[a.name] ?? '')}">${e(params[a.name] ?? '–')}</td>`),
      ...metrics.map((m) => {
        const v = s.metrics?.[m.name];
        return `<td class="num" data-v="${typeof v?.mean === 'number' ? v.mean : ''}">${e(formatMeanSd(v?.mean, v?.sd))}</td>`;
      }),
    ];
    return `<tr${best ? ' class="best"' : ''}>${cells.join('')}</tr>`;
  });
  return `${head}<p class="note">Mean ± sample sd over the seeds. Click a column's head to sort by it.</p>
<div class="table-wrap"><table id="sets"><thead><tr>${header.join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}
