import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderSweepHtml } from '../../reports/sweep/index.ts';
import type { LooseSweep } from '../../reports/sweep/loose-sweep.ts';
import type { SweepResult } from '../../reports/sweep/sweep-result.ts';
import { openInChromium, requireChromium } from '../support/chromium-page.ts';
import { FAKE_METRICS, fakeSweep } from './fake-sweep.ts';

/** The pages and screenshots of these tests (git-ignored); sweep-html.png is the realistic one. */
const OUTPUT = join(import.meta.dirname, '..', 'output');

describe('sweep.html in headless Chromium (hand-made sweeps, fakes)', () => {
  mkdirSync(OUTPUT, { recursive: true });
  const open = async (name: string, sweep: SweepResult | LooseSweep, act?: NonNullable<Parameters<typeof openInChromium>[1]>['act']) => {
    requireChromium();
    const file = join(OUTPUT, `${name}.html`);
    writeFileSync(file, renderSweepHtml(sweep));
    const page = await openInChromium(file, { screenshot: join(OUTPUT, `${name}.png`), width: 1280, act });
    console.log(`${file}: ${statSync(file).size} bytes; screenshot ${join(OUTPUT, `${name}.png`)}`);
    expect(page.consoleProblems).toEqual([]);
    expect(page.pageErrors).toEqual([]);
    expect(page.requests).toEqual([pathToFileURL(file).href]);
    return page;
  };

  it('behavior: a 4 × 3 grid of 3 seeds and 12 metrics: every chart draws all 12 sets, the best set is shown, the table sorts', async () => {
    const page = await open('sweep-html', fakeSweep(), async (p) => {
      // Sort by Gini (a number column), then click it again for the reverse; hide a series from the legend.
      const gini = p.locator('#sets thead th', { hasText: 'Gini' });
      await gini.click();
      const ascending = await p.locator('#sets tbody tr td:first-child').allInnerTexts();
      await gini.click();
      const descending = await p.locator('#sets tbody tr td:first-child').allInnerTexts();
      // The cursor in the middle of the Gini chart: the readout names the set nearest it.
      const plot = p.locator('#chart-m1 .u-over');
      await plot.scrollIntoViewIfNeeded();
      const box = (await plot.boundingBox())!;
      await p.mouse.move(box.x + 10, box.y + 10);
      await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
      const readout = await p.locator('#chart-m1 .readout').innerText();
      await p.locator('#legend button', { hasText: 'emission=4000' }).click();
      const afterHide = await p.evaluate(() => (window as unknown as { __pinbench: { charts: Array<{ points: number }> } }).__pinbench.charts.map((c) => c.points));
      return { ascending, descending, afterHide, readout };
    });
    expect(page.charts.map((c) => c.id)).toEqual(FAKE_METRICS.map((m) => m.name));
    expect(page.charts.filter((c) => c.points !== 12 || c.missing !== null)).toEqual([]);
    expect(page.text).toContain('Best set: cap=100,emission=2000');
    expect(page.text).toContain('pinbench run scenarios/city-1k.yaml --params cap=100,emission=2000');
    const sweep = fakeSweep();
    const byGini = [...sweep.sets].sort((a, b) => a.metrics.gini!.mean - b.metrics.gini!.mean).map((s) => String(s.id));
    const acted = page.acted as { ascending: string[]; descending: string[]; afterHide: number[]; readout: string };
    expect(acted.ascending.map((t) => t.replace('★ ', ''))).toEqual(byGini);
    expect(acted.descending.map((t) => t.replace('★ ', ''))).toEqual([...byGini].reverse());
    expect(acted.readout).toMatch(/^cap=(100|200),emission=\d+: 0\.\d{3} ± 0\.\d{3} \(min 0\.\d{3}, max 0\.\d{3}\)$/);
    // One series of three hidden: each chart draws the other 8 sets.
    expect(acted.afterHide).toEqual(FAKE_METRICS.map(() => 8));
  });

  it('behavior: a large grid, 10 × 10 sets of 10 seeds, draws every set in every chart', async () => {
    const caps = Array.from({ length: 10 }, (_, i) => String(50 * (i + 1)));
    const emissions = Array.from({ length: 10 }, (_, i) => String(1000 * (i + 1)));
    const page = await open('sweep-html-large', fakeSweep({ caps, emissions, seeds: Array.from({ length: 10 }, (_, i) => i + 1), bestSetId: 57 }));
    expect(page.charts).toHaveLength(12);
    expect(page.charts.filter((c) => c.points !== 100)).toEqual([]);
  });

  it('behavior: one axis of words draws one series by position; a metric no set has says "not in this sweep"', async () => {
    const sweep = fakeSweep();
    const sets = ['reading', 'epoch'].map((v, id) => ({ ...sweep.sets[id]!, id, params: { flagPenalty: v }, label: `flagPenalty=${v}` }));
    const page = await open('sweep-html-one-axis', {
      ...sweep,
      axes: [{ name: 'flagPenalty', values: ['reading', 'epoch'] }],
      sets,
      metrics: [...sweep.metrics, { name: 'stakeSlashed', label: 'Slashed', unit: 'tokens', description: '' }],
      objective: { text: 'max honestShare', bestSetId: 1, feasibleSets: 2 },
    });
    expect(page.charts.find((c) => c.id === 'gini')).toEqual({ id: 'gini', points: 2, missing: null });
    expect(page.charts.find((c) => c.id === 'stakeSlashed')).toEqual({ id: 'stakeSlashed', points: 0, missing: 'no set has stakeSlashed' });
    expect(page.text).toContain('not in this sweep: no set has stakeSlashed');
  });

  it('behavior: a sweep with no sets opens, draws nothing and says so', async () => {
    const page = await open('sweep-html-empty', { ...fakeSweep(), sets: [], objective: { text: 'max gini', feasibleSets: 0 } });
    expect(page.charts).toEqual([]);
    expect(page.text).toContain('This sweep has no parameter sets on a grid: nothing to chart.');
    expect(page.text).toContain('No set meets the constraints.');
  });

  it('error: an older sweep.json without axes, metrics, timing or calibration draws from its sets and names what is missing', async () => {
    const older = fakeSweep() as unknown as Record<string, unknown>;
    for (const field of ['axes', 'metrics', 'timing', 'calibration']) delete older[field];
    const page = await open('sweep-html-older', older as LooseSweep);
    expect(page.charts.map((c) => c.id)).toEqual(FAKE_METRICS.map((m) => m.name));
    expect(page.charts.filter((c) => c.points !== 12)).toEqual([]);
    expect(page.text).toContain('The grid\'s axes are not in this sweep (sweep.json has no axes): read off the sets\' parameters.');
    expect(page.text).toContain('not in this sweep: sweep.json has no calibration');
  });
});
