import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { renderSweepHtml } from '../../reports/sweep/index.ts';
import type { LooseSweep } from '../../reports/sweep/loose-sweep.ts';
import { formatMeanSd, formatNumber, shellWord } from '../../reports/sweep/sweep-format.ts';
import type { SweepPageData } from '../../reports/sweep/sweep-page-data.ts';
import type { SweepSetResult } from '../../reports/sweep/sweep-result.ts';
import { fakeSweep } from './fake-sweep.ts';

function embedded(html: string): SweepPageData {
  const match = /<script type="application\/json" id="pinbench-sweep-data">([^<]*)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as SweepPageData;
}

describe('renderSweepHtml: sweep.html from hand-made sweeps (fakes)', () => {
  it('behavior: one self-contained page: uPlot inlined from node_modules, the policy refusing every request, nothing to fetch', () => {
    const html = renderSweepHtml(fakeSweep());
    const uplot = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    expect(html).toContain(uplot);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|@import|url\(http/i);
    expect([...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1])).toEqual(['data:,']);
    expect(embedded(html).charts).toHaveLength(12);
  });

  it('behavior: the title line, the cards, the best set with the command that runs it, and its row marked', () => {
    const html = renderSweepHtml(fakeSweep());
    expect(html).toContain('<h1>pinbench sweep: city-1k</h1>');
    expect(html).toContain('<p>1,000 devices × 30 epochs, 3 seeds (1, 2, 3), 12 parameter sets: cap (4) × emission (3).</p>');
    expect(html).toContain('<div class="label">device-epochs / s</div><div class="value">257,143</div><div class="more">on 2 workers</div>');
    expect(html).toContain('<div class="label">calibration error</div><div class="value">4.3 %</div>');
    expect(html).toContain('<p class="objective-text"><code>max honestShare s.t. gini &lt; 0.4</code></p>');
    expect(html).toContain('Best set: <code>cap=100,emission=2000</code>');
    expect(html).toContain('<pre class="command"><code>pinbench run scenarios/city-1k.yaml --params cap=100,emission=2000</code></pre>');
    expect(html).toContain('6 of 12 sets meet the constraints (on their means).');
    expect(html.match(/<tr class="best">/g)).toHaveLength(1);
    expect(html).toMatch(/<tr class="best"><td class="num" data-v="4"><span class="star"[^>]*>★<\/span> 4<\/td><td><code>cap=100,emission=2000<\/code><\/td><td data-v="100">100<\/td><td data-v="2000">2000<\/td>/);
    expect(html).toContain('200 devices per profile; worst relative error 4.3 %.');
    expect(html).toContain('<figcaption title="honestShare">Honest share (share) <span class="tag objective">objective: max</span></figcaption>');
    expect(html).toContain('<figcaption title="gini">Gini (share) <span class="tag bound">s.t. gini &lt; 0.4</span></figcaption>');
  });

  it('behavior: no feasible set, no objective, no compared calibration: each said in words', () => {
    const none = renderSweepHtml(fakeSweep({ bestSetId: null }));
    expect(none).toContain('<div class="best none"><b>No set meets the constraints.</b> 0 of 12 sets meet the constraints (on their means).</div>');
    expect(none).not.toContain('<tr class="best">');
    expect(embedded(none).best).toBeNull();
    const sweep = fakeSweep();
    const plain = renderSweepHtml({ ...sweep, objective: undefined, calibration: { ...sweep.calibration, worstRelativeError: undefined } });
    expect(plain).toContain('<p class="missing">not in this sweep: no objective was given (pinbench sweep … --objective &#39;max honestShare s.t. gini &lt; 0.4&#39;)</p>');
    expect(plain).toContain('<div class="value">not compared</div>');
    expect(plain).toContain('error: not compared with a full run.');
  });

  it('behavior: a sweep with no sets says there is nothing to chart, and still renders', () => {
    const html = renderSweepHtml({ ...fakeSweep(), sets: [], objective: { text: 'max gini', feasibleSets: 0 } });
    expect(html).toContain('This sweep has no parameter sets on a grid: nothing to chart.');
    expect(html).toContain('<p class="missing">This sweep has no parameter sets.</p>');
    expect(html).toContain('0 parameter sets');
  });

  it('behavior: names from the sweep cannot break out of the page (a label with </script>)', () => {
    const sweep = fakeSweep();
    const hostile = '</script><img src=x onerror=alert(1)>';
    const sets = sweep.sets.map((s, i): SweepSetResult => (i === 4 ? { ...s, label: `cap=100,emission=${hostile}`, params: { cap: '100', emission: hostile } } : s));
    const html = renderSweepHtml({ ...sweep, scenario: { ...sweep.scenario, name: hostile }, axes: [sweep.axes[0]!, { name: 'emission', values: ['1000', hostile, '4000'] }], sets, metrics: [{ ...sweep.metrics[0]!, label: '<b>Emission</b>' }, ...sweep.metrics.slice(1)] });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>Emission</b>');
    expect(html.match(/<\/script>/g)).toHaveLength(3); // the data, uPlot and the page's script, each ended once
    expect(html).toContain('<h1>pinbench sweep: &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</h1>');
    expect(html).toContain('--params &#39;cap=100,emission=&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&#39;');
    const data = embedded(html);
    expect(data.setLabels[4]).toBe(`cap=100,emission=${hostile}`);
    expect(data.series.map((s) => s.label)).toContain(`emission=${hostile}`);
  });

  it('error: an older sweep.json without timing, calibration and objective draws the rest and says "not in this sweep"', () => {
    const older = fakeSweep() as unknown as Record<string, unknown>;
    delete older.timing;
    delete older.calibration;
    delete older.objective;
    delete older.createdAt;
    const html = renderSweepHtml(older as LooseSweep);
    expect(html).toContain('<p class="missing">not in this sweep: sweep.json has no calibration</p>');
    expect(html).toContain('<div class="label">device-epochs / s</div><div class="value">–</div><div class="more">timing not in this sweep</div>');
    expect(html).toContain('calibration not in this sweep');
    expect(html).toContain('Swept –.');
    expect(embedded(html).charts.filter((c) => c.missing !== null)).toEqual([]);
    // Nothing at all: the page is still made, and says so.
    const empty = renderSweepHtml({} as LooseSweep);
    expect(empty).toContain('<h1>pinbench sweep: (unnamed)</h1>');
    expect(empty).toContain('<p class="missing">not in this sweep: sweep.json has no sets</p>');
  });

  it('behavior: a large grid (100 sets × 12 metrics, 10 seeds) stays well under 1 MB', () => {
    const caps = Array.from({ length: 10 }, (_, i) => String(25 * 2 ** (i / 2)).slice(0, 8));
    const emissions = Array.from({ length: 10 }, (_, i) => String(1000 * (i + 1)));
    const html = renderSweepHtml(fakeSweep({ caps, emissions, seeds: Array.from({ length: 10 }, (_, i) => i + 1) }));
    expect(embedded(html).series).toHaveLength(10);
    expect(Buffer.byteLength(html)).toBeLessThan(400_000);
  });

  it('behavior: figures keep three or four significant digits, an sd the decimals of its mean; shell words quoted only when needed', () => {
    expect([formatNumber(31250.4), formatNumber(123.456), formatNumber(12.3456), formatNumber(0.41234), formatNumber(0.0021345), formatNumber(0), formatNumber(undefined)]).toEqual(['31,250', '123.5', '12.35', '0.412', '0.00213', '0', '–']);
    expect(formatMeanSd(0.41234, 0.0134)).toBe('0.412 ± 0.013');
    expect(formatMeanSd(0.322, 0.00031)).toBe('0.322 ± < 0.001');
    expect(formatMeanSd(59851, 102.4)).toBe('59,851 ± 102');
    expect(formatMeanSd(1, 0)).toBe('1.000 ± 0.000');
    expect(formatMeanSd(undefined, 1)).toBe('–');
    expect(shellWord('cap=50,emission=1000')).toBe('cap=50,emission=1000');
    expect(shellWord("my scenario's.yaml")).toBe(`'my scenario'\\''s.yaml'`);
  });
});
