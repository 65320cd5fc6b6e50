// The suite runner (`pinbench test`): scenarios one after another on one chain, and what CI reads of them.
export { suiteFiles } from './suite-files.ts';
export { runSuite, type SuiteOptions, type SuiteChain } from './run-suite.ts';
export { renderJUnit } from './junit.ts';
export { renderSummaryMarkdown } from './summary-markdown.ts';
export { suiteTableLines } from './suite-table.ts';
export { suiteVerdict, type ScenarioOutcome, type SuiteResult, type SuiteVerdict } from './suite-outcome.ts';
