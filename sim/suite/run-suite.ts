import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import { loadScenarioFile } from '../../scenarios/index.ts';
import { runScenario, type RunOptions, type RunResult } from '../run/run-scenario.ts';
import { startAnvil } from '../chain/anvil.ts';
import { runFolderName } from '../paths.ts';
import { statusWord, suiteVerdict, type ScenarioOutcome, type SuiteResult } from './suite-outcome.ts';
import { erroredOutcome, finishedOutcome, nameOf } from './scenario-outcomes.ts';

/** The one chain a suite's runs settle on, and how to stop it. */
export interface SuiteChain {
  rpcUrl: string;
  operatorKey: string;
  stop(): Promise<void>;
}

export interface SuiteOptions {
  /** Scenario files in the order they run (suiteFiles). */
  files: readonly string[];
  /** Where the run folders go (default runs), and the suite's chain state beside them. */
  outDir?: string;
  cacheDir?: string;
  /** Stop after the first scenario that fails or errors; the rest are reported as skipped. */
  failFast?: boolean;
  /** The runs' own progress (stages, warnings). */
  logger: Logger;
  /** The suite's progress: one line as each scenario starts and one as it ends. */
  progress: (line: string) => void;
  /** Aborting stops the current run as Ctrl-C stops `pinbench run`; the rest are skipped. */
  signal?: AbortSignal;
  /** Runs one scenario; runScenario, unless a unit test passes a fake. */
  run?: (file: string, options: RunOptions) => Promise<RunResult>;
  /** Starts the suite's chain with its state kept in `statePath`; the embedded anvil unless a unit test passes a fake. */
  startChain?: (statePath: string, logger: Logger) => Promise<SuiteChain>;
}

/**
 * The embedded anvil, started once for the whole suite. Each run deploys contracts of its own on
 * it (`--rpc`), so runs do not see each other's registry or settlements, and the suite pays for
 * one chain start instead of one per scenario. Its state goes to `statePath` at the end, as a
 * run's `chain-state.json` does: `anvil --load-state` brings it back, e.g. for `pinbench resume
 * <run> --rpc …` of one of the suite's runs.
 */
async function startSuiteAnvil(statePath: string, logger: Logger): Promise<SuiteChain> {
  // Kept only at exit in practice: the runs are short next to the interval, and saving the whole state is work.
  const node = await startAnvil({ logger, statePath, stateIntervalS: 60, historyStates: 0 });
  return { rpcUrl: node.rpcUrl, operatorKey: node.accounts[0]!, stop: () => node.stop() };
}


/** Whether the scenario has a chain.restart (a file that cannot be read fails in its run, as any other). */
function restartsChain(file: string): boolean {
  try {
    return loadScenarioFile(file).timeline.some((event) => event.event === 'chain.restart');
  } catch {
    return false;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** A path as the user would type it: relative to the working folder when inside it, else absolute. */
const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
};

function endLine(outcome: ScenarioOutcome): string {
  const head = `${statusWord(outcome.status).padEnd(5)} ${outcome.name} (${seconds(outcome.durationMs)})`;
  if (outcome.error !== undefined) return `${head}: ${outcome.error.message.split('\n')[0]}`;
  const failed = [
    ...outcome.checks.filter((c) => !c.ok).map((c) => `check failed: ${c.name}: ${c.detail}`),
    ...outcome.thresholds.filter((t) => !t.ok).map((t) => `threshold failed: ${t.expression}: measured ${t.measuredText}, expected ${t.expected}`),
  ];
  const passed = `${outcome.checks.length} checks, ${outcome.thresholds.length} thresholds`;
  const report = outcome.runDir === undefined ? '' : `; ${shown(join(outcome.runDir, 'report.md'))}`;
  return `${head}: ${failed.length === 0 ? `${passed} passed` : failed.join('; ')}${report}`;
}

/** One scenario, whatever happens to it: a run that throws is an outcome too, so the suite goes on. */
async function runOne(file: string, runOptions: RunOptions, run: NonNullable<SuiteOptions['run']>): Promise<ScenarioOutcome> {
  const startedAt = new Date();
  const t0 = performance.now();
  try {
    const result = await run(file, runOptions);
    return finishedOutcome({ file, report: result.report, runDir: result.runDir, startedAt, durationMs: performance.now() - t0 });
  } catch (error) {
    return erroredOutcome({ file, error, startedAt, durationMs: performance.now() - t0 });
  }
}

/**
 * `pinbench test`: runs the scenarios one after another on one chain and the shared circuit
 * cache. A scenario that cannot run is an error of that scenario and the suite goes on (unless
 * `failFast`); an interruption stops the current run and skips the rest. The chain is stopped
 * at the end, whatever happened.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const { files, progress, logger, signal } = options;
  const run = options.run ?? runScenario;
  const outDir = resolve(options.outDir ?? 'runs');
  const startedAt = new Date();
  const t0 = performance.now();
  mkdirSync(outDir, { recursive: true });
  const statePath = join(outDir, `${runFolderName(startedAt, 'suite')}-chain-state.json`);
  const chain = await (options.startChain ?? startSuiteAnvil)(statePath, logger);
  const outcomes: ScenarioOutcome[] = [];
  try {
    let stoppedBy: string | undefined;
    for (const [index, file] of files.entries()) {
      const tag = `[${index + 1}/${files.length}]`;
      if (stoppedBy === undefined && signal?.aborted) stoppedBy = 'interrupted before it started';
      if (stoppedBy !== undefined) {
        outcomes.push({ file, name: nameOf(file), status: 'skipped', startedAt: new Date(), durationMs: 0, checks: [], thresholds: [], skipReason: stoppedBy });
        progress(`${tag} SKIP  ${file}: ${stoppedBy}`);
        continue;
      }
      progress(`${tag} START ${file}`);
      // A scenario that restarts its chain cannot share the suite's: it runs on its own.
      const shared = restartsChain(file) ? {} : { rpcUrl: chain.rpcUrl, operatorKey: chain.operatorKey };
      const outcome = await runOne(file, {
        ...shared, outDir, logger,
        ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
        ...(signal === undefined ? {} : { signal }),
      }, run);
      outcomes.push(outcome);
      progress(`${tag} ${endLine(outcome)}`);
      if (outcome.status === 'interrupted') stoppedBy = 'interrupted before it started';
      else if (options.failFast && (outcome.status === 'failed' || outcome.status === 'errored')) stoppedBy = `--fail-fast: ${outcome.name} ${outcome.status === 'errored' ? 'errored' : 'failed'}`;
    }
  } finally {
    await chain.stop();
  }
  return { outcomes, verdict: suiteVerdict(outcomes), startedAt, durationMs: performance.now() - t0, chain: { rpcUrl: chain.rpcUrl, statePath } };
}
