import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import { renderJUnit, renderSummaryMarkdown, runSuite, suiteFiles, suiteTableLines, type SuiteVerdict } from '../suite/index.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { parseCommandLine } from './parse-command-line.ts';

export const TEST_USAGE = `Usage: pinbench test <folder|scenario.yaml…> [--junit <out.xml>] [--summary <out.md>] [--fail-fast] [options]

Runs a suite of scenarios one after another, sharing the circuit cache and one anvil chain
(each run deploys its own contracts on it), prints a line as each starts and ends and a table
at the end, and writes what CI reads: a JUnit XML file (one testsuite per scenario, one testcase
per built-in check and per threshold) and a Markdown summary for the job's summary page.

A folder means its *.yaml and *.yml files, sorted by name; its subfolders are not searched.
A scenario that cannot run (a bad file, a stage that fails) is an error of that scenario, and
the suite goes on.

Exit code: 0 every scenario passed; 1 a built-in check failed or a scenario errored; 99 only
thresholds failed; 2 bad arguments (no scenarios found, an unknown option); 130 interrupted
(the JUnit file and the summary hold what ran until then).

Options:
  --junit <file>         write JUnit XML here
  --summary <file>       write a Markdown summary here (e.g. >> $GITHUB_STEP_SUMMARY after)
  --fail-fast            stop after the first scenario that fails or errors (the rest: skipped)
  --out <dir>            where run folders go (default: runs); the suite's chain state is saved
                         there too, as <time>-suite-chain-state.json
  --cache <dir>          circuit and contract cache (default: $PINBENCH_CACHE or ~/.cache/pinbench)
  --quiet                print only the suite's lines, not each run's progress
  -h, --help             show this help
`;

export interface TestCommand {
  command: 'test';
  files: string[];
  junit?: string;
  summary?: string;
  failFast: boolean;
  outDir: string;
  cacheDir?: string;
  quiet: boolean;
}

/** `pinbench test …` (argv after the command name). The folder is read here: no scenario found is bad input. */
export function parseTestArgs(argv: string[]): TestCommand | { help: string } {
  const { values, positionals } = parseCommandLine(argv, {
    junit: { type: 'string' },
    summary: { type: 'string' },
    'fail-fast': { type: 'boolean', default: false },
    out: { type: 'string' },
    cache: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  }, 'see `pinbench test --help`');
  if (values.help) return { help: TEST_USAGE };
  for (const option of ['junit', 'summary', 'out', 'cache'] as const) {
    if (values[option] === '') throw new PinbenchError('CLI_ARGS_INVALID', `option --${option}: expected a path, got an empty string`);
  }
  if (values.junit !== undefined && values.summary !== undefined && resolve(values.junit) === resolve(values.summary)) {
    throw new PinbenchError('CLI_ARGS_INVALID', `options --junit and --summary name the same file (${values.junit}); give each its own`);
  }
  return {
    command: 'test',
    files: suiteFiles(positionals),
    ...(values.junit === undefined ? {} : { junit: values.junit }),
    ...(values.summary === undefined ? {} : { summary: values.summary }),
    failFast: values['fail-fast'],
    outDir: values.out ?? 'runs',
    ...(values.cache === undefined ? {} : { cacheDir: values.cache }),
    quiet: values.quiet,
  };
}

const EXIT_OF: Record<SuiteVerdict, ExitCode> = {
  pass: EXIT.pass,
  checkFailed: EXIT.checkFailed,
  thresholdFailed: EXIT.thresholdFailed,
  interrupted: EXIT.interrupted,
};

function writeOut(path: string, text: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, text);
}

/**
 * Runs `pinbench test`: the suite, the table, the JUnit file and the summary (written also when
 * the suite was interrupted, with what ran until then). Returns the exit code.
 */
export async function runTestCommand(cmd: TestCommand, io: { logger: Logger; signal?: AbortSignal; stdout: (line: string) => void }): Promise<number> {
  const suite = await runSuite({
    files: cmd.files, outDir: cmd.outDir, failFast: cmd.failFast, logger: io.logger, progress: io.stdout,
    ...(cmd.cacheDir === undefined ? {} : { cacheDir: cmd.cacheDir }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  });
  for (const line of suiteTableLines(suite)) io.stdout(line);
  if (cmd.junit !== undefined) {
    writeOut(cmd.junit, renderJUnit(suite));
    io.stdout(`junit: ${cmd.junit}`);
  }
  if (cmd.summary !== undefined) {
    writeOut(cmd.summary, renderSummaryMarkdown(suite, { linkFrom: dirname(resolve(cmd.summary)) }));
    io.stdout(`summary: ${cmd.summary}`);
  }
  return EXIT_OF[suite.verdict];
}
