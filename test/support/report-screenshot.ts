// The README's picture of report.html: a full-page screenshot of a run folder's report.html
// in headless Chromium at 1280 px, written as an indexed PNG (test/support/png-palette.ts).
// Usage: npx tsx test/support/report-screenshot.ts <run folder> [docs/images/report-html.png]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInChromium } from './chromium-page.ts';
import { toIndexedPng } from './png-palette.ts';

const [runDir, out = 'docs/images/report-html.png'] = process.argv.slice(2);
if (runDir === undefined) throw new Error('give a run folder: npx tsx test/support/report-screenshot.ts runs/<time>-<scenario>');
const work = mkdtempSync(join(tmpdir(), 'pinbench-shot-'));
const page = await openInChromium(join(runDir, 'report.html'), { screenshot: join(work, 'page.png'), width: 1280 });
if (page.consoleProblems.length + page.pageErrors.length > 0) throw new Error(`the page logged: ${[...page.consoleProblems, ...page.pageErrors].join('; ')}`);
const png = toIndexedPng(readFileSync(join(work, 'page.png')));
writeFileSync(out, png);
rmSync(work, { recursive: true, force: true });
console.log(`${out}: ${png.length} bytes`);
