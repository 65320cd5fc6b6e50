import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

/** Debian's Chromium: the HTML report tests open the page in it, as a user's browser would. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface OpenedPage {
  /** What the page's script put in window.__pinbench.charts. */
  charts: Array<{ id: string; points: number; missing: string | null }>;
  /** Console messages of type error or warning, and uncaught page errors. */
  consoleProblems: string[];
  pageErrors: string[];
  /** Every request the page made, the file itself included. */
  requests: string[];
  /** Wall ms from navigation to the script's `ready`. */
  drawMs: number;
  /** The page's text as a reader sees it. */
  text: string;
  /** What `act` returned, when it was given. */
  acted?: unknown;
}

export function requireChromium(path = CHROMIUM): void {
  if (!existsSync(path)) throw new Error('Chromium is needed for the HTML report test: apt-get install chromium');
}

/**
 * Opens an HTML file in headless Chromium with a fresh profile, waits for the report page's
 * script to finish, and saves a full-page screenshot when asked; `act` then works the page (clicks) for a test.
 */
export async function openInChromium(file: string, options: { screenshot?: string; width?: number; act?: (page: Page) => Promise<unknown> } = {}): Promise<OpenedPage> {
  requireChromium();
  const profile = mkdtempSync(join(tmpdir(), 'pinbench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: options.width ?? 1280, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleProblems: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    context.on('request', (r) => requests.push(r.url()));
    const started = performance.now();
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => (window as unknown as { __pinbench?: { ready: boolean } }).__pinbench?.ready === true, undefined, { timeout: 30_000 });
    const drawMs = performance.now() - started;
    const charts = await page.evaluate(() => (window as unknown as { __pinbench: { charts: OpenedPage['charts'] } }).__pinbench.charts);
    const text = await page.evaluate(() => document.body.innerText);
    if (options.screenshot !== undefined) await page.screenshot({ path: options.screenshot, fullPage: true });
    // After the screenshot, so what a test clicks does not change the picture.
    const acted = options.act === undefined ? undefined : await options.act(page);
    return { charts, consoleProblems, pageErrors, requests, drawMs, text, acted };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
