import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEnd, RunOutput } from '../output.ts';
import { renderHtml } from './render-html.ts';

/**
 * The HTML report as a run output: it keeps nothing while the run goes (the finished report's
 * `performance.timeline` already holds every sample) and writes `<run folder>/report.html` at
 * the end. A run that ends without a report gets no page.
 */
export function htmlOutput(): RunOutput {
  return {
    name: 'html',
    start() {},
    samples() {},
    stop(end: RunEnd) {
      writeFileSync(join(end.runDir, 'report.html'), renderHtml({ report: end.report, tracks: end.tracks }));
    },
  };
}
