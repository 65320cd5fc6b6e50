import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RunOutput } from '../../reports/output.ts';
import { renderJUnit } from './junit.ts';
import { suiteVerdict, type ScenarioOutcome } from './suite-outcome.ts';
import { erroredOutcome, finishedOutcome } from './scenario-outcomes.ts';

/**
 * `pinbench run … --junit FILE`: the run's checks and thresholds as JUnit XML, the same document
 * `pinbench test` writes for a suite of one, from the same outcome of a scenario. A run that
 * ended without a report writes one `run` test case holding its error, so CI still has a file
 * to read.
 */
export function junitOutput(path: string, file: string): RunOutput {
  let startedAt = new Date();
  const write = (outcome: ScenarioOutcome) => {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    writeFileSync(path, renderJUnit({ outcomes: [outcome], verdict: suiteVerdict([outcome]), startedAt: outcome.startedAt, durationMs: outcome.durationMs, chain: undefined }));
  };
  return {
    name: 'JUnit',
    start: () => {
      startedAt = new Date();
    },
    samples: () => undefined,
    stop: ({ report, runDir }) =>
      write(finishedOutcome({ file, report, runDir, startedAt: new Date(report.startedAt), durationMs: Date.parse(report.finishedAt) - Date.parse(report.startedAt) })),
    fail: (error) => write(erroredOutcome({ file, error, startedAt, durationMs: Date.now() - startedAt.getTime() })),
  };
}
