import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../../sim/index.ts';
import { CHART_IDS } from '../../reports/html/page-data.ts';
import { testCacheDir } from '../support/cache.ts';
import { tinyScenario } from '../support/pinbench-cli.ts';
import { openInChromium, requireChromium, type OpenedPage } from '../support/chromium-page.ts';

/** The screenshot of the real run's page, kept after the test (git-ignored). */
const SCREENSHOT = join(import.meta.dirname, '..', 'output', 'html-report.png');

describe('integration: report.html of a real run, opened in headless Chromium', () => {
  let result: RunResult;
  let file: string;
  let page: OpenedPage;

  beforeAll(async () => {
    requireChromium();
    const work = mkdtempSync(join(tmpdir(), 'pinbench-html-'));
    writeFileSync(join(work, 'html.yaml'), tinyScenario('html-report', 19));
    result = await runScenario(join(work, 'html.yaml'), { outDir: work, cacheDir: testCacheDir });
    // The page the run wrote itself (htmlOutput, with readTracks over its run.db).
    file = join(result.runDir, 'report.html');
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    page = await openInChromium(file, { screenshot: SCREENSHOT, width: 1280 });
    console.log(`report.html: ${file} (${statSync(file).size} bytes); screenshot: ${SCREENSHOT}; drawn in ${Math.round(page.drawMs)} ms`);
  }, 300_000);

  it('behavior: the page the run wrote draws every chart, the map included', () => {
    expect(result.failedChecks).toEqual([]);
    expect(page.charts.map((c) => c.id)).toEqual([...CHART_IDS]);
    expect(page.charts.filter((c) => c.points === 0)).toEqual([]);
    // Every reading has a position, and a tiny run's tracks are far below the caps: all drawn.
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const readings = (db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
    db.close();
    expect(readings).toBe(result.report.counts.accepted);
    expect(page.charts.find((c) => c.id === 'map')!.points).toBe(readings);
    expect(page.charts.filter((c) => c.missing !== null)).toEqual([]);
  });

  it('behavior: nothing is logged, nothing thrown, and no request leaves the page', () => {
    expect(page.consoleProblems).toEqual([]);
    expect(page.pageErrors).toEqual([]);
    expect(page.requests).toEqual([pathToFileURL(file).href]);
  });
});
