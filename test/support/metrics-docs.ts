/**
 * Writes docs/metrics.md from reports/metrics/catalogue.ts (`npm run docs:metrics`).
 * test/thresholds/metrics-docs.test.ts compares the file with `renderMetricsDocs()`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMetricsDocs } from '../../reports/metrics/metrics-docs.ts';

export const METRICS_DOCS_FILE = fileURLToPath(new URL('../../docs/metrics.md', import.meta.url));

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  writeFileSync(METRICS_DOCS_FILE, renderMetricsDocs());
  process.stdout.write(`wrote ${METRICS_DOCS_FILE}\n`);
}
