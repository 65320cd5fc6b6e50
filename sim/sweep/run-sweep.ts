import { createHash } from 'node:crypto';
import type { Scenario } from '../../scenarios/index.ts';
import type { SweepResult, SweepSetResult } from '../../reports/sweep/sweep-result.ts';
import { calibrate } from './calibrate.ts';
import type { Calibration } from './calibration.ts';
import { comparePools } from './sweep-calibration-check.ts';
import { calibrationError } from './calibration-error.ts';
import { join } from 'node:path';
import { profileGroups, summarize, sweepMetricInfos } from './sweep-metrics.ts';
import { evaluateObjective } from './sweep-objective.ts';
import type { SweepPlan } from './sweep-plan.ts';
import { shareCalibration, type SweepContext, type SweepTask, type SweepTaskResult } from './sweep-task.ts';
import { defaultSweepWorkers, runSweepTasks } from './sweep-workers.ts';

export interface SweepRunOptions {
  readonly scenario: Scenario;
  /** As given on the command line, for the result. */
  readonly scenarioPath: string;
  readonly scenarioDir: string;
  readonly cacheDir?: string;
  readonly workers?: number;
  /** A progress line (stderr in the CLI). */
  readonly progress?: (line: string) => void;
  readonly now?: () => Date;
}

/** sha256 of the scenario as parsed (bigints as text): the same scenario, the same hash. */
export function scenarioHash(scenario: Scenario): string {
  return createHash('sha256').update(JSON.stringify(scenario, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).digest('hex');
}

/** One calibration per resolution the plan needs, each cached by its key (calibrate.ts). */
export async function calibrateForPlan(plan: SweepPlan, options: SweepRunOptions): Promise<Calibration[]> {
  const progress = options.progress ?? (() => undefined);
  const out: Calibration[] = [];
  for (const resolution of plan.resolutions) {
    const started = Date.now();
    progress(`calibrating ${options.scenario.name}: device models over ${plan.calibrationEpochs} epochs, cells at h3 resolution ${resolution}${plan.calibrationDevices === undefined ? '' : `, at most ${plan.calibrationDevices} devices per profile`} (minutes on a large fleet; cached by scenario hash)…`);
    const { calibration, cached, file } = await calibrate(options.scenario, {
      epochs: plan.calibrationEpochs, resolution, scenarioDir: options.scenarioDir,
      ...(plan.calibrationDevices === undefined ? {} : { devicesPerProfile: plan.calibrationDevices }),
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    });
    progress(`calibration ${cached ? 'read from' : `made in ${((Date.now() - started) / 1000).toFixed(1)} s, written to`} ${file}`);
    out.push(calibration);
  }
  return out;
}

/** Tasks of one (set, seed) each: the finest split, so workers stay evenly busy; a result depends on its task alone. */
export function sweepTasks(plan: SweepPlan): SweepTask[] {
  return plan.sets.flatMap((set, i) => plan.seeds.map((seed) => ({ setId: set.id, policy: plan.policies[i]!, calibration: plan.resolutionOf[i]!, seeds: [seed] })));
}

export function sweepContext(plan: SweepPlan, calibrations: readonly Calibration[]): SweepContext {
  return { calibrations, devices: plan.devices, epochs: plan.epochs, viabilityTokens: plan.viabilityTokens, groups: profileGroups(calibrations[0]!.profiles) };
}

/** Per set, every metric summarized over its seeds (seeds without a value, e.g. costPerKm with no distance, left out). */
export function aggregateSets(plan: SweepPlan, metricNames: readonly string[], results: readonly SweepTaskResult[]): SweepSetResult[] {
  return plan.sets.map((set) => {
    const seedMetrics = results.filter((r) => r.setId === set.id).flatMap((r) => r.metrics);
    const metrics: Record<string, ReturnType<typeof summarize>> = {};
    for (const name of metricNames) {
      const values = seedMetrics.map((m) => m[name]).filter((v): v is number => v !== undefined);
      if (values.length > 0) metrics[name] = summarize(values);
    }
    return { id: set.id, params: set.params, label: set.label, metrics };
  });
}

/** Calibrates (or reads the cache), runs every (set, seed) on the workers, summarizes, applies the objective. */
export async function runSweep(plan: SweepPlan, options: SweepRunOptions): Promise<SweepResult> {
  const progress = options.progress ?? (() => undefined);
  const calibrations = await calibrateForPlan(plan, options);
  let check: { worstRelativeError: number; note: string } | undefined;
  if (plan.checkSeed !== undefined) {
    progress(`calibrating again at seed ${plan.checkSeed} to quote the calibration's error…`);
    const other = await calibrate({ ...options.scenario, seed: plan.checkSeed }, {
      epochs: plan.calibrationEpochs, resolution: plan.resolutions[0]!, scenarioDir: options.scenarioDir,
      ...(plan.calibrationDevices === undefined ? {} : { devicesPerProfile: plan.calibrationDevices }),
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    });
    const { worstRelative, profiles } = comparePools(calibrations[0]!, other.calibration);
    check = {
      worstRelativeError: worstRelative,
      note: `pool means (readings, flag rate, units per device-epoch) of the calibration at seed ${options.scenario.seed} against a second calibration at seed ${plan.checkSeed}, over ${profiles} profiles: the largest relative difference, i.e. how far the pools move with the seed. It is not a comparison with a full run through broker and chain (pinbench run --params confirms one set on chain).`,
    };
  }
  if (plan.checkRun !== undefined) {
    const error = calibrationError(calibrations[0]!, join(plan.checkRun, 'run.db'));
    check = {
      worstRelativeError: error.worstRelative,
      note: `pool means (readings, flag rate, units per device-epoch) of the calibration against the full run ${plan.checkRun} (${error.epochs} closed epochs, ${error.profiles.length} profiles): the largest relative difference${error.missingInRun.length + error.missingInCalibration.length > 0 ? `; profiles in one but not the other: ${[...error.missingInRun, ...error.missingInCalibration].join(', ')}` : ''}`,
    };
  }
  const context = sweepContext(plan, calibrations.map(shareCalibration));
  const infos = sweepMetricInfos(context.groups);
  const tasks = sweepTasks(plan);
  const workers = options.workers ?? defaultSweepWorkers();
  const perSet = plan.seeds.length;
  const started = Date.now();
  let deviceEpochs = 0;
  let setsDone = 0;
  const seedsDone = new Map<number, number>();
  const every = Math.max(1, Math.floor(plan.sets.length / 20));
  const results = await runSweepTasks(context, tasks, workers, (r) => {
    deviceEpochs += r.deviceEpochs;
    const n = (seedsDone.get(r.setId) ?? 0) + r.seeds.length;
    seedsDone.set(r.setId, n);
    if (n < perSet) return;
    setsDone += 1;
    if (setsDone % every === 0 || setsDone === plan.sets.length) {
      const s = (Date.now() - started) / 1000;
      progress(`sweep: ${setsDone}/${plan.sets.length} sets done, ${deviceEpochs.toLocaleString('en-US')} device-epochs, ${Math.round(deviceEpochs / Math.max(s, 1e-3)).toLocaleString('en-US')} device-epochs/s on ${workers} workers`);
    }
  });
  const wallMs = Date.now() - started;
  const sets = aggregateSets(plan, infos.map((m) => m.name), results);
  const c = calibrations[0]!;
  return {
    kind: 'pinbench-sweep',
    formatVersion: 1,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    scenario: { name: options.scenario.name, path: options.scenarioPath, hash: scenarioHash(options.scenario), devices: plan.devices, epochs: plan.epochs },
    axes: plan.axes.map((a) => ({ name: a.name, values: [...a.values] })),
    seeds: [...plan.seeds],
    metrics: infos,
    sets,
    ...(plan.objective === undefined ? {} : { objective: evaluateObjective(plan.objective, sets) }),
    calibration: {
      key: c.key,
      devicesPerProfile: Math.max(...c.profiles.map((p) => p.calibratedDevices)),
      ...(check === undefined
        ? { note: `not compared: pass --check-seed N to calibrate again at another seed and quote how far the pools move (${c.records.countedSamples.length} device-epoch records over ${c.profiles.length} profiles)` }
        : check),
    },
    timing: { deviceEpochs, wallMs, deviceEpochsPerSecond: Math.round(deviceEpochs / Math.max(wallMs / 1000, 1e-3)), workers },
  };
}
