import { join } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import { POLICY_AXES } from '../../core/reward-policy/index.ts';
import type { SweepResult } from '../../reports/sweep/sweep-result.ts';
import { loadScenarioFile } from '../../scenarios/index.ts';
import { scenarioDirOf } from '../fleet/fleet-plan.ts';
import { runFolderName } from '../paths.ts';
import { runSweep } from '../sweep/run-sweep.ts';
import { writeSweepOutputs } from '../sweep/sweep-outputs.ts';
import { planSweep, type SweepRequest } from '../sweep/sweep-plan.ts';
import { DEFAULT_VIABILITY_TOKENS } from '../sweep/sweep-metrics.ts';
import { feasibleSets, parseObjective } from '../sweep/sweep-objective.ts';
import { parseCommandLine } from './parse-command-line.ts';

export const SWEEP_USAGE = `Usage: pinbench sweep <scenario.yaml> --grid NAME=V1,V2,… [--grid …] --seeds N
                      [--workers N] [--out DIR] [--objective '…'] [--viability TOKENS]
                      [--devices N] [--epochs N] [--calibration-epochs N] [--calibration-devices N]
                      [--check-seed N | --check-run RUN_FOLDER] [--cache DIR]

Sweeps the scenario's reward policy over a grid of parameter sets, each over seeded fleets, in
fast mode: device-epochs drawn from a calibration of the scenario's own device and adversary
models (cached by scenario hash), paid by the policy's rule, no broker, chain or proofs. Writes
sweep.json, sweep.csv and sweep.html; prints the best sets and the objective's answer. Confirm a
set on chain with \`pinbench run <scenario> --params <label>\`.

Options:
  --grid NAME=VALUES       an axis: a list (cap=50,100,200) or a range from..to:step
                           (cap=50..200:50); repeat for more axes. The sets are their product,
                           the last axis varying fastest. Token amounts are in tokens.
  --seeds N                seeded fleets per set (seeds 1 … N)
  --workers N              worker threads (default: every core; the main thread only waits)
  --out DIR                where to write (default runs/<time>-<scenario>-sweep/)
  --objective TEXT         'max|min METRIC [s.t. METRIC <|<=|>|>= NUMBER [and …]]', on the
                           sets' means, e.g. 'max honestShare s.t. gini < 0.4'
  --viability TOKENS       the viability line, tokens per device per epoch (default ${DEFAULT_VIABILITY_TOKENS})
  --devices N              fleet size per seed (default the scenario's, its profile mix kept)
  --epochs N               epochs per seed (default the scenario's)
  --calibration-epochs N   epochs the calibration runs the device models (default min(scenario's, 3))
  --calibration-devices N  at most N devices per profile in the calibration (default all)
  --check-seed N           calibrate again at seed N and quote how far the pools move
  --check-run FOLDER       quote the calibration's error against a full run of the scenario
                           (a \`pinbench run\` folder: its run.db's readings, flags and units)
  --cache DIR              where calibrations are cached (default ~/.cache/pinbench)
  -h, --help               show this help

Metrics per set (mean and sd over seeds): emission, gini, top10Share, honestShare,
costPerKm, viabilityShare, honestReward.<motion>, adversaryReward.<adversary>.

Axes:
${POLICY_AXES.map((a) => `  ${a.name.padEnd(19)} ${a.unit}; ${a.range}`).join('\n')}
`;

export interface SweepCommand extends SweepRequest {
  readonly scenarioFile: string;
  readonly outDir?: string;
  readonly cacheDir?: string;
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\s*-?\d+(\.\d+)?\s*$/.test(text)) throw new PinbenchError('SWEEP_INVALID', `${flag}: expected a number, got "${text}"; see \`pinbench sweep --help\``);
  return Number(text);
}

export function parseSweepArgs(argv: string[]): SweepCommand | { help: string } {
  const { values, positionals } = parseCommandLine(argv, {
    grid: { type: 'string', multiple: true },
    seeds: { type: 'string' },
    workers: { type: 'string' },
    out: { type: 'string' },
    objective: { type: 'string' },
    viability: { type: 'string' },
    devices: { type: 'string' },
    epochs: { type: 'string' },
    'calibration-epochs': { type: 'string' },
    'calibration-devices': { type: 'string' },
    'check-seed': { type: 'string' },
    'check-run': { type: 'string' },
    cache: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  }, 'see `pinbench sweep --help`');
  if (values.help) return { help: SWEEP_USAGE };
  if (positionals.length !== 1) throw new PinbenchError('CLI_ARGS_INVALID', `give one scenario to sweep: \`pinbench sweep scenarios/adversaries.yaml --grid cap=50,100 --seeds 10\`, got ${positionals.length}`);
  if (values.seeds === undefined) throw new PinbenchError('SWEEP_INVALID', '--seeds: missing; give how many seeded fleets each set runs, e.g. --seeds 10');
  const opt = <T>(key: string, v: T | undefined) => (v === undefined ? {} : { [key]: v });
  return {
    scenarioFile: positionals[0]!,
    grid: values.grid ?? [],
    seeds: number('--seeds', values.seeds)!,
    ...opt('workers', number('--workers', values.workers)),
    ...opt('outDir', values.out),
    ...opt('objective', values.objective),
    ...opt('viabilityTokens', number('--viability', values.viability)),
    ...opt('devices', number('--devices', values.devices)),
    ...opt('epochs', number('--epochs', values.epochs)),
    ...opt('calibrationEpochs', number('--calibration-epochs', values['calibration-epochs'])),
    ...opt('calibrationDevices', number('--calibration-devices', values['calibration-devices'])),
    ...opt('checkSeed', number('--check-seed', values['check-seed'])),
    ...opt('checkRun', values['check-run']),
    ...opt('cacheDir', values.cache),
  };
}

const fmt = (v: number | undefined) => (v === undefined ? '—' : Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(3));

/** The short table printed at the end: the objective's answer, then its feasible sets best first (or the first sets without one). */
export function sweepSummaryLines(result: SweepResult, written: readonly string[], limit = 5): string[] {
  const lines: string[] = [];
  const o = result.objective;
  let ranked = [...result.sets];
  if (o !== undefined) {
    const objective = parseObjective(o.text, result.metrics.map((m) => m.name));
    const sign = objective.direction === 'max' ? -1 : 1;
    ranked = feasibleSets(objective, result.sets).sort((a, b) => (a.metrics[objective.metric]!.mean - b.metrics[objective.metric]!.mean) * sign || a.id - b.id);
    const best = o.bestSetId === undefined ? undefined : result.sets[o.bestSetId];
    lines.push(best === undefined
      ? `objective ${o.text}: no set meets the constraints (0 of ${result.sets.length} feasible)`
      : `objective ${o.text}: best set #${best.id} ${best.label} (${o.feasibleSets} of ${result.sets.length} feasible); confirm it with --params '${best.label}'`);
  }
  const shown = ['emission', 'gini', 'top10Share', 'honestShare', 'costPerKm', 'viabilityShare'];
  lines.push(`${'set'.padEnd(40)} ${shown.map((m) => m.padStart(14)).join(' ')}`);
  for (const s of ranked.slice(0, limit)) lines.push(`${`#${s.id} ${s.label}`.padEnd(40)} ${shown.map((m) => fmt(s.metrics[m]?.mean).padStart(14)).join(' ')}`);
  if (ranked.length > limit) lines.push(`… ${ranked.length - limit} more ${o === undefined ? '' : 'feasible '}sets in sweep.csv`);
  const t = result.timing;
  lines.push(`${t.deviceEpochs.toLocaleString('en-US')} device-epochs in ${(t.wallMs / 1000).toFixed(1)} s (${t.deviceEpochsPerSecond.toLocaleString('en-US')}/s on ${t.workers} workers); calibration: ${result.calibration.worstRelativeError === undefined ? result.calibration.note : `worst relative difference ${(result.calibration.worstRelativeError * 100).toFixed(1)} % (${result.calibration.note})`}`);
  lines.push(`wrote ${written.join(', ')}`);
  return lines;
}

/** Checks everything, then calibrates, sweeps and writes; 0 when written. */
export async function runSweepCommand(command: SweepCommand, io: { stdout: (line: string) => void; stderr: (line: string) => void }): Promise<number> {
  const scenario = loadScenarioFile(command.scenarioFile);
  const plan = planSweep(scenario, command);
  const result = await runSweep(plan, {
    scenario,
    scenarioPath: command.scenarioFile,
    scenarioDir: scenarioDirOf(command.scenarioFile),
    ...(command.cacheDir === undefined ? {} : { cacheDir: command.cacheDir }),
    ...(command.workers === undefined ? {} : { workers: command.workers }),
    progress: io.stderr,
  });
  const outDir = command.outDir ?? join('runs', runFolderName(new Date(), `${scenario.name}-sweep`));
  const written = writeSweepOutputs(outDir, result);
  for (const line of sweepSummaryLines(result, written)) io.stdout(line);
  return 0;
}
