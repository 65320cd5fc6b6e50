/**
 * Writes docs/scenarios.md from the scenario schema (`npm run docs:scenarios`); the rendering is
 * scenarios/scenario-docs.ts. test/scenarios/scenario-docs.test.ts compares the file with it.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderScenarioDocs } from '../../scenarios/scenario-docs.ts';

export const SCENARIO_DOCS_FILE = fileURLToPath(new URL('../../docs/scenarios.md', import.meta.url));

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  writeFileSync(SCENARIO_DOCS_FILE, renderScenarioDocs());
  console.log(`wrote ${SCENARIO_DOCS_FILE}`);
}
