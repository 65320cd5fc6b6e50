import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escapeHtml, styleForInline } from './embed.ts';

const require = createRequire(import.meta.url);

/**
 * What every pinbench HTML page (the run's report.html, the sweep's sweep.html) needs to open
 * offline: the chart library inlined and a policy that refuses every request.
 */

/**
 * Nothing may leave the page: the policy refuses every fetch, so a stray URL shows as a
 * console error (which the HTML tests catch) instead of a request to the internet.
 */
export const OFFLINE_CONTENT_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/**
 * uPlot's script and style, read when a page is rendered. They are inlined, not linked: a page
 * must open offline, from a CI artefact or a mail, with no CDN and no files beside it. uPlot
 * comes from node_modules (the version package-lock pins), never a CDN.
 */
export function uplotAssets(): { uplotJs: string; uplotCss: string } {
  return {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

/** A page's own script or style, beside the module that renders it (e.g. `new URL('./page/x.js', import.meta.url)`). */
export function pageAsset(url: URL): string {
  return readFileSync(url, 'utf8');
}

/**
 * A page's `<!doctype>` through `</head>`: the content policy, the title (escaped) and each style
 * inlined in the order given (uPlot's first, then the page's own).
 */
export function offlineHead(title: string, styles: readonly string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${OFFLINE_CONTENT_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
${styles.map((css) => `<style>${styleForInline(css)}</style>`).join('\n')}
</head>`;
}
