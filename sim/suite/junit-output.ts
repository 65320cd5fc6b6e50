import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { RunOutput } from '../../reports/output.ts';
import { renderJUnit } from './junit.ts';
import { statusOfReport } from './suite-outcome.ts';

/**
 * `pinbench run … --junit FILE`: the run's checks and thresholds as JUnit XML, the same document
 * `pinbench test` writes for a suite of one. A run that ended without a report writes one
 * `run` test case holding its error, so CI still has a file to read.
 */
export function junitOutput(path: string, file: string): RunOutput {
  let startedAt = new Date();
  const write = (xml: string) => {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    writeFileSync(path, xml);
  };
  return {
    name: 'JUnit',
    start: () => {
      startedAt = new Date();
    },
    samples: () => undefined,
    stop: ({ report, runDir }) => {
      const durationMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
      const thresholds = report.thresholds ?? [];
      write(renderJUnit({
        outcomes: [{
          file, name: report.scenario.name, ...statusOfReport(report.checks, thresholds), startedAt: new Date(report.startedAt), durationMs,
          checks: report.checks, thresholds, runDir, rpcUrl: report.chain.rpcUrl,
        }],
        verdict: 'pass', startedAt: new Date(report.startedAt), durationMs, chain: undefined,
      }));
    },
    fail: (error) => {
      const code = (error as Error & { code?: string }).code ?? 'ERROR';
      write(renderJUnit({
        outcomes: [{
          file, name: basename(file).replace(/\.ya?ml$/, ''), status: code === 'RUN_INTERRUPTED' ? 'interrupted' : 'errored', startedAt, durationMs: Date.now() - startedAt.getTime(),
          checks: [], thresholds: [], error: { message: error.message, code },
        }],
        verdict: 'pass', startedAt, durationMs: Date.now() - startedAt.getTime(), chain: undefined,
      }));
    },
  };
}
