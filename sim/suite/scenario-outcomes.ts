import { basename, extname } from 'node:path';
import { isPinbenchError } from '../../core/errors.ts';
import type { RunReport } from '../../reports/types.ts';
import { loadScenarioFile } from '../../scenarios/index.ts';
import { statusOfReport, type ScenarioOutcome } from './suite-outcome.ts';

/** The name a scenario goes by in the suite's tables: its `name:`, or its file's base name when it cannot be read. */
export function nameOf(file: string): string {
  try {
    return loadScenarioFile(file).name;
  } catch {
    return basename(file, extname(file));
  }
}

/** A scenario whose run wrote its report: passed or failed by its checks and thresholds. */
export function finishedOutcome(input: { file: string; report: RunReport; runDir: string; startedAt: Date; durationMs: number }): ScenarioOutcome {
  const { file, report, runDir, startedAt, durationMs } = input;
  const thresholds = report.thresholds ?? [];
  return {
    file, name: report.scenario.name, ...statusOfReport(report.checks, thresholds), startedAt, durationMs,
    checks: report.checks, thresholds, runDir, rpcUrl: report.chain.rpcUrl,
  };
}

/** A scenario whose run threw: interrupted (RUN_INTERRUPTED) or errored, with the error's code and message, and its run folder when it made one. */
export function erroredOutcome(input: { file: string; error: unknown; startedAt: Date; durationMs: number }): ScenarioOutcome {
  const { file, error, startedAt, durationMs } = input;
  const code = isPinbenchError(error) ? error.code : 'UNEXPECTED';
  const message = error instanceof Error ? error.message : String(error);
  const runDir = isPinbenchError(error) && typeof error.details.runDir === 'string' ? error.details.runDir : undefined;
  return {
    file, name: nameOf(file), status: code === 'RUN_INTERRUPTED' ? 'interrupted' : 'errored', startedAt, durationMs,
    checks: [], thresholds: [], error: { message, code }, ...(runDir === undefined ? {} : { runDir }),
  };
}
