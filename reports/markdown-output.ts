import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOutput } from './output.ts';
import { renderMarkdown } from './markdown.ts';

/** report.md in the run folder, from the finished report (it reads no sample on the way). */
export function markdownOutput(): RunOutput {
  return {
    name: 'Markdown',
    start: () => undefined,
    samples: () => undefined,
    stop: ({ report, runDir }) => writeFileSync(join(runDir, 'report.md'), renderMarkdown(report)),
  };
}
