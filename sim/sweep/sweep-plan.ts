import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import type { RewardPolicy } from '../../core/reward-policy/index.ts';
import { isReplayEntry, type Scenario } from '../../scenarios/index.ts';
import { gridPolicies, gridSets, parseGrid, sweepPolicyContext, type GridAxis, type ParamSet } from './sweep-grid.ts';
import { profileGroups, sweepMetricInfos, DEFAULT_VIABILITY_TOKENS } from './sweep-metrics.ts';
import { parseObjective, type Objective } from './sweep-objective.ts';

export interface SweepRequest {
  readonly grid: readonly string[];
  /** Seeds 1 … seeds are swept for every set. */
  readonly seeds: number;
  readonly workers?: number;
  readonly objective?: string;
  /** Tokens per device per epoch. */
  readonly viabilityTokens?: number;
  /** Fleet size drawn per (set, seed); default the scenario's devices. */
  readonly devices?: number;
  /** Epochs per (set, seed); default the scenario's. */
  readonly epochs?: number;
  /** Epochs the calibration runs the device models for; default min(scenario's, 3). */
  readonly calibrationEpochs?: number;
  /** Run at most this many devices per profile in the calibration; default all. */
  readonly calibrationDevices?: number;
  /** Calibrate again at this seed and compare the pools (sweep-calibration-check.ts). */
  readonly checkSeed?: number;
  /** A finished run folder of the scenario: the calibration's pool means against its run.db (calibration-error.ts). */
  readonly checkRun?: string;
}

/** A sweep checked whole before any work: its sets, their policies, the resolutions to calibrate at. */
export interface SweepPlan {
  readonly axes: readonly GridAxis[];
  readonly sets: readonly ParamSet[];
  readonly policies: readonly RewardPolicy[];
  /** Distinct h3 resolutions, one calibration each; policies[i] uses resolutions[resolutionOf[i]]. */
  readonly resolutions: readonly number[];
  readonly resolutionOf: readonly number[];
  readonly seeds: readonly number[];
  readonly devices: number;
  readonly epochs: number;
  readonly calibrationEpochs: number;
  readonly calibrationDevices?: number;
  readonly viabilityTokens: number;
  readonly objective?: Objective;
  readonly checkSeed?: number;
  readonly checkRun?: string;
}

/** Cells are recorded at this resolution when no set has coverage (≈ 0.7 km² hexagons). */
export const DEFAULT_RESOLUTION = 8;

function wholeAtLeast(flag: string, value: number | undefined, min: number, hint: string): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < min) throw new PinbenchError('SWEEP_INVALID', `${flag}: expected a whole number ≥ ${min}, got ${String(value)}; ${hint}`);
}

/** The scenario's devices, sybil clones included. */
export function scenarioDevices(scenario: Scenario): number {
  return scenario.fleet.reduce((n, g) => (isReplayEntry(g) ? n : n + g.count * (g.adversary?.name === 'sybil' ? 1 + g.adversary.clones : 1)), 0);
}

/** Every refusal of a sweep, before calibration: flags, grid, each set's policy over the epochs, the objective. */
export function planSweep(scenario: Scenario, request: SweepRequest): SweepPlan {
  wholeAtLeast('--seeds', request.seeds, 1, 'give how many seeded fleets each set runs, e.g. --seeds 10');
  wholeAtLeast('--workers', request.workers, 1, 'give the worker threads, e.g. --workers 2 (default: every core)');
  wholeAtLeast('--devices', request.devices, 1, 'give the fleet size drawn per seed, e.g. --devices 1000');
  wholeAtLeast('--epochs', request.epochs, 1, 'give the epochs per seed, e.g. --epochs 30');
  wholeAtLeast('--calibration-epochs', request.calibrationEpochs, 1, 'e.g. --calibration-epochs 3');
  wholeAtLeast('--calibration-devices', request.calibrationDevices, 1, 'or leave it out to calibrate every device');
  wholeAtLeast('--check-seed', request.checkSeed, 0, 'give another seed of the scenario, e.g. --check-seed 2');
  if (request.checkSeed !== undefined && request.checkSeed === scenario.seed) {
    throw new PinbenchError('SWEEP_INVALID', `--check-seed ${request.checkSeed}: that is the scenario's own seed; give another one, e.g. --check-seed ${Number(scenario.seed) + 1}`);
  }
  if (request.checkRun !== undefined) {
    if (request.checkSeed !== undefined) throw new PinbenchError('SWEEP_INVALID', '--check-run and --check-seed both quote the calibration\'s error; give one (--check-run compares with a full run, the stronger check)');
    if (!existsSync(join(request.checkRun, 'run.db'))) throw new PinbenchError('SWEEP_INVALID', `--check-run ${request.checkRun}: no run.db there; give the folder of a finished \`pinbench run\` of this scenario`);
  }
  const viability = request.viabilityTokens ?? DEFAULT_VIABILITY_TOKENS;
  if (!Number.isFinite(viability) || viability < 0) throw new PinbenchError('SWEEP_INVALID', `--viability: expected tokens per device per epoch ≥ 0, got ${String(request.viabilityTokens)}; e.g. --viability 0.5`);
  if (scenario.fleet.some(isReplayEntry)) throw new PinbenchError('SWEEP_INVALID', `scenario ${scenario.name}: a fleet entry replays a capture, which has no device model to sweep; sweep a scenario of modelled devices`);
  const devices = request.devices ?? scenarioDevices(scenario);
  const epochs = request.epochs ?? scenario.epochs.count;
  const axes = parseGrid(request.grid);
  const sets = gridSets(axes);
  // A set whose stakes for this fleet and emission would not fit the token is refused here, as
  // `pinbench run --params` would refuse it.
  const policies = gridPolicies(scenario.policy, sets, sweepPolicyContext(scenario, epochs, devices));
  const resolutionOfPolicy = policies.map((p) => p.coverage?.resolution ?? scenario.policy.coverage?.resolution ?? DEFAULT_RESOLUTION);
  const resolutions = [...new Set(resolutionOfPolicy)];
  const groups = profileGroups(scenario.fleet.flatMap((g) => (isReplayEntry(g) ? [] : [{ motion: g.motion, adversary: g.adversary?.name }])));
  const objective = request.objective === undefined ? undefined : parseObjective(request.objective, sweepMetricInfos(groups).map((m) => m.name));
  return {
    axes,
    sets,
    policies,
    resolutions,
    resolutionOf: resolutionOfPolicy.map((r) => resolutions.indexOf(r)),
    seeds: Array.from({ length: request.seeds }, (_, i) => i + 1),
    devices,
    epochs,
    calibrationEpochs: request.calibrationEpochs ?? Math.min(scenario.epochs.count, 3),
    ...(request.calibrationDevices === undefined ? {} : { calibrationDevices: request.calibrationDevices }),
    viabilityTokens: viability,
    ...(objective === undefined ? {} : { objective }),
    ...(request.checkSeed === undefined ? {} : { checkSeed: request.checkSeed }),
    ...(request.checkRun === undefined ? {} : { checkRun: request.checkRun }),
  };
}
