import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { htmlOutput } from '../../reports/html/html-output.ts';
import { CHART_IDS, type PageData } from '../../reports/html/page-data.ts';
import { renderHtml } from '../../reports/html/render-html.ts';
import type { RunReport } from '../../reports/types.ts';
import { openInChromium, requireChromium } from '../support/chromium-page.ts';
import { fakeCity, fakeReport, fakeTracks, olderPoint } from './fake-report.ts';

/** Screenshots of the tests' pages (git-ignored). */
const OUTPUT = join(import.meta.dirname, '..', 'output');

function embedded(html: string): PageData {
  const match = /<script type="application\/json" id="pinbench-data">([^<]*)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as PageData;
}

/** The fake report as an older pinbench wrote it: timeline points without the sample's new fields, no connect times. */
function olderReport(): RunReport {
  const report = fakeReport();
  report.performance.timeline = Array.from({ length: 12 }, (_, i) => olderPoint(i + 1));
  delete report.connectMs;
  return report;
}

const NOT_IN_LATENCY = 'its timeline predates per-second latency (performance.timeline[].latencyMs)';
const NOT_IN_QUEUE = 'its timeline predates the proof queue (performance.timeline[].proofs)';

describe('renderHtml: report.html from a hand-made report (fake)', () => {
  it('behavior: one self-contained page: uPlot inlined from node_modules, nothing to fetch, the charts\' data embedded', () => {
    const html = renderHtml({ report: fakeReport(), tracks: fakeTracks() });
    const uplot = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    expect(html).toContain(uplot);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|@import|url\(http/i);
    expect([...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1])).toEqual(['data:,']);
    const data = embedded(html);
    expect(data.missing).toEqual({});
    expect(data.batches).toEqual({ label: ['epoch 0 batch 0', 'epoch 0 batch 1'], proveMs: [1700, 1020], gasUsed: [280495, 250001] });
    // Rewards 0, 1, 2, 3: G = (2·20 − 5·6) / (4·6) = 5/12.
    expect(data.rewards).toMatchObject({ devices: 4, unpaid: 1 });
    expect(data.rewards!.gini).toBeCloseTo(5 / 12, 9);
    expect(html).toContain('Lorenz curve of the rewards — Gini 0.417');
    expect(html).toContain('<div class="label">gas per device-epoch</div><div class="value">132,624</div><div class="more">settlement 530,496 in all</div>');
    expect(html).toContain('<li class="bad"><span class="mark">✘</span> <b>readings accepted</b>: a check that failed</li>');
    // The cost of cheating: the sybil earned nothing where an honest car earned 2 PINR.
    expect(html).toContain('-100.0 %');
  });

  it('behavior: a run paid by a reward policy shows its epochs and stakes; today\'s rule shows no policy section', () => {
    expect(renderHtml({ report: fakeReport(), tracks: fakeTracks() })).not.toContain('<h2>Reward policy</h2>');
    const report = fakeReport();
    report.rewards.policy = {
      params: 'cap=50', emission: 'halving',
      epochs: [{ epoch: 0, totalUnits: '12345', emissionWei: '1000000000000000000000', paidWei: '999999999999000000000', dustWei: '1000000000' }],
      stake: { perDeviceWei: '100000000000000000000', slashBps: 2500, bondedDevices: 11, flaggedDeviceEpochs: 2, slashedWei: '43750000000000000000' },
    };
    const html = renderHtml({ report, tracks: fakeTracks() });
    expect(html).toContain('<section><h2>Reward policy</h2><p>Paid by a halving reward policy with <code>--params cap=50</code>.</p>');
    expect(html).toContain('<tr><td class="num">0</td><td class="num">12,345</td><td class="num">1,000.000000</td><td class="num">999.999999</td><td class="num">1,000,000,000</td></tr>');
    expect(html).toContain('<p>Stakes: 11 devices bonded with 100.000000 PINR each; 2 flagged device-epochs slashed 43.750000 PINR (2,500 bps of the stake left each), locked in the settlement contract.</p>');
  });

  it('behavior: names from the run cannot break out of the page', () => {
    const report = fakeReport();
    report.scenario.name = '</script><img src=x onerror=alert(1)>';
    report.counts.rejected = { '<b>bad</b>': 1 };
    const html = renderHtml({ report, tracks: fakeTracks() });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>bad</b>');
    expect(html).toContain('pinbench run: &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(embedded(html).missing).toEqual({});
  });

  it('behavior: an older report renders, and the charts without their data say which field is missing', () => {
    const html = renderHtml({ report: olderReport(), tracks: fakeTracks() });
    expect(embedded(html).missing).toEqual({ latency: NOT_IN_LATENCY, 'proof-queue': NOT_IN_QUEUE });
    expect(html).toContain('Connect times: not in this report.');
  });

  it('error: a damaged report (a reward that is no wei amount, no performance) draws the rest and names the field', () => {
    const report = fakeReport() as unknown as Record<string, unknown> & { rewards: { perDevice: Array<{ rewardWei: unknown }> } };
    report.rewards.perDevice[1]!.rewardWei = 'lots';
    delete report.performance;
    const data = embedded(renderHtml({ report: report as unknown as RunReport, tracks: fakeTracks() }));
    expect(data.missing['reward-histogram']).toBe('rewards.perDevice[1].rewardWei is not a decimal wei amount ("lots")');
    expect(data.missing.lorenz).toBe(data.missing['reward-histogram']);
    expect(data.missing.throughput).toBe('report.json has no performance.timeline');
    expect(data.missing['proof-times']).toBeUndefined();
    // Nothing at all: every chart says why, and the page is still made.
    const empty = embedded(renderHtml({ report: {} as RunReport, tracks: { bounds: null, tracks: [], readings: 0, kept: 0 } }));
    expect(Object.keys(empty.missing).sort()).toEqual([...CHART_IDS].sort());
    expect(empty.missing.map).toBe('no reading in run.db had a position');
  });

  it('behavior: htmlOutput writes report.html into the run folder at stop, and nothing before', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'pinbench-html-out-'));
    const output = htmlOutput();
    expect(output.name).toBe('html');
    output.start({ scenario: { name: 'fake-html', seed: 7, devices: 4, epochs: 1, epochLengthS: 600 }, runDir, timeMode: 'accelerated', startSimMs: 0, endSimMs: 600_000 });
    output.samples(fakeReport().performance.timeline as never);
    expect(existsSync(join(runDir, 'report.html'))).toBe(false);
    output.stop({ report: fakeReport(), runDir, tracks: fakeTracks(), stoppedByUser: false });
    expect(readFileSync(join(runDir, 'report.html'), 'utf8')).toBe(renderHtml({ report: fakeReport(), tracks: fakeTracks() }));
  });
});

describe('renderHtml in headless Chromium (fake reports)', () => {
  mkdirSync(OUTPUT, { recursive: true });
  const open = async (name: string, report: RunReport) => {
    const file = join(OUTPUT, `${name}.html`);
    writeFileSync(file, renderHtml({ report, tracks: fakeTracks() }));
    const page = await openInChromium(file, { screenshot: join(OUTPUT, `${name}.png`) });
    console.log(`screenshot: ${join(OUTPUT, `${name}.png`)}`);
    expect(page.consoleProblems).toEqual([]);
    expect(page.pageErrors).toEqual([]);
    expect(page.requests).toEqual([pathToFileURL(file).href]);
    expect(page.charts.map((c) => c.id)).toEqual([...CHART_IDS]);
    return page;
  };

  it('behavior: every chart draws its points, the map included, and the page logs nothing', async () => {
    const page = await open('fake-report', fakeReport());
    const points = Object.fromEntries(page.charts.map((c) => [c.id, c.points]));
    // 12 seconds; latency has a gap at second 5 in each of its 3 series; the map 4 tracks of 5 points.
    expect(points).toMatchObject({ throughput: 24, latency: 33, connections: 12, 'proof-times': 2, gas: 2, 'reward-histogram': 20, map: 20 });
    expect(page.charts.filter((c) => c.points === 0 || c.missing !== null)).toEqual([]);
  });

  it('behavior: an older report\'s page names the two charts it has no data for and draws the rest', async () => {
    const page = await open('older-report', olderReport());
    expect(page.charts.filter((c) => c.missing !== null)).toEqual([
      { id: 'latency', points: 0, missing: NOT_IN_LATENCY },
      { id: 'proof-queue', points: 0, missing: NOT_IN_QUEUE },
    ]);
    expect(page.charts.filter((c) => c.missing === null).every((c) => c.points > 0)).toBe(true);
    expect(page.text).toContain(`not in this report: ${NOT_IN_LATENCY}`);
    expect(page.text).toContain(`not in this report: ${NOT_IN_QUEUE}`);
  });

  it('error: without Chromium the test says what to install', () => {
    expect(() => requireChromium('/nonexistent/chromium')).toThrow('Chromium is needed for the HTML report test: apt-get install chromium');
  });
});

describe('renderHtml at 10,000 devices (fake)', () => {
  it('behavior: a 10,000-device report with tracks at readTracks\' cap (40,000 points) and an hour of samples stays under 2 MB', () => {
    const { report, tracks } = fakeCity(10_000, 4, 3600);
    const html = renderHtml({ report, tracks });
    const data = embedded(html);
    expect(data.tracks.tracks).toHaveLength(10_000);
    expect(data.timeline!.tS.length).toBeLessThanOrEqual(1200);
    expect(data.rewards!.lorenz).toHaveLength(201);
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 2 ** 20);
  });
});
