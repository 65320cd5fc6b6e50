import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import { compareReports, type ComparableReport } from '../../reports/compare/compare-reports.ts';
import { renderComparisonMarkdown, renderComparisonText } from '../../reports/compare/compare-markdown.ts';
import { EXIT } from '../exit-codes.ts';
import { parseCommandLine } from './parse-command-line.ts';

export const COMPARE_USAGE = `Usage: pinbench compare <run A> <run B> [--md FILE] [--fail-on-regression PCT]

Prints every metric of two runs (run folders, or their report.json): A's value, B's, the
change, and REGRESSION where B is worse than A. The metrics are the ones thresholds name
(docs/metrics.md): rates, latency percentiles, memory, proof and settlement times, gas,
rewards, rejections by reason. Which way is worse: lower is better for latencies, resources,
gas, losses and refusals, higher for throughput and what was paid; counts that follow from
the scenario (messages published, connects) are shown and never a regression.

Options:
  --md FILE                  also write the comparison as Markdown (e.g. a CI job summary)
  --fail-on-regression PCT   exit 1 when a metric got worse by more than PCT (e.g. 10%);
                             without it, compare exits 0 whatever changed
  -h, --help                 show this help
`;

export interface CompareCommand {
  runA: string;
  runB: string;
  mdPath?: string;
  /** A fraction: 0.1 for 10 %. */
  failOnRegression?: number;
}

export function parseCompareArgs(argv: string[]): CompareCommand | { help: string } {
  const { values, positionals } = parseCommandLine(
    argv,
    { md: { type: 'string' }, 'fail-on-regression': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    'see `pinbench compare --help`',
  );
  if (values.help) return { help: COMPARE_USAGE };
  if (positionals.length !== 2) throw new PinbenchError('CLI_ARGS_INVALID', `give two runs to compare: \`pinbench compare runs/<A> runs/<B>\`, got ${positionals.length}`);
  const pct = values['fail-on-regression'];
  let failOnRegression: number | undefined;
  if (pct !== undefined) {
    const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(pct.trim());
    if (match === null) throw new PinbenchError('CLI_ARGS_INVALID', `option --fail-on-regression: expected a percentage such as 10%, got "${pct}"`);
    failOnRegression = Number(match[1]) / 100;
  }
  return { runA: positionals[0]!, runB: positionals[1]!, ...(values.md === undefined ? {} : { mdPath: values.md }), ...(failOnRegression === undefined ? {} : { failOnRegression }) };
}

/** The fields every report of a run has; a report without one is damaged or not a run's. */
const REQUIRED = ['pinbench', 'scenario', 'scenario.name', 'scenario.seed', 'scenario.devices', 'checks'] as const;

/** A run folder's report.json, or the file itself, read and checked enough to compare. */
export function readReport(path: string): ComparableReport {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'report.json') : path;
  if (!existsSync(file)) throw new PinbenchError('REPORT_INVALID', `${file} does not exist: give a run folder (runs/<time>-<scenario>/) or its report.json`);
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new PinbenchError('REPORT_INVALID', `${file} is not JSON (${(cause as Error).message}): the report is damaged; run the scenario again, or \`pinbench resume\` its folder`, { cause });
  }
  for (const field of REQUIRED) {
    const value = field.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), report);
    if (value === undefined) throw new PinbenchError('REPORT_INVALID', `${file} has no \`${field}\`: it is not a pinbench run's report, or a damaged one`);
  }
  if ((report as { mode?: string }).mode === 'resumed') {
    throw new PinbenchError('REPORT_INVALID', `${file} is the report of a resumed run: it holds what run.db and the chain kept, not the run's measures; compare runs that finished`);
  }
  return report as ComparableReport;
}

/** Prints the comparison; 1 with --fail-on-regression when a metric got worse by more than it. */
export function runCompareCommand(command: CompareCommand, io: { stdout: (line: string) => void }): number {
  const a = readReport(command.runA);
  const b = readReport(command.runB);
  const comparison = compareReports(a, b, { tolerance: command.failOnRegression ?? 0 });
  for (const line of renderComparisonText(comparison)) io.stdout(line);
  if (command.mdPath !== undefined) writeFileSync(command.mdPath, renderComparisonMarkdown(comparison, { a: command.runA, b: command.runB }));
  const regressions = comparison.rows.filter((r) => r.regression);
  if (command.failOnRegression === undefined) {
    io.stdout(`${regressions.length} metrics worse in B than in A (no --fail-on-regression: exit 0)`);
    return EXIT.pass;
  }
  const limit = `${(command.failOnRegression * 100).toFixed(0)} %`;
  io.stdout(regressions.length === 0 ? `PASS compare: no metric worse by more than ${limit}` : `FAIL compare: ${regressions.length} metrics worse by more than ${limit}: ${regressions.map((r) => r.metric).join(', ')}`);
  return regressions.length === 0 ? EXIT.pass : EXIT.checkFailed;
}
