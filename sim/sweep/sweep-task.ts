import type { RewardPolicy } from '../../core/reward-policy/index.ts';
import { COLUMN_TYPES, type Calibration, type RecordColumns } from './calibration.ts';
import { fleetProfiles } from './fast-sampler.ts';
import { fleetRewards } from './sweep-fleet-rewards.ts';
import { sweepMetrics, type ProfileGroups } from './sweep-metrics.ts';

/** What every task of a sweep shares: sent to each worker once (workerData), not with each task. */
export interface SweepContext {
  /** One calibration per coverage resolution the grid needs, the same records, cells at its resolution. */
  readonly calibrations: readonly Calibration[];
  readonly devices: number;
  readonly epochs: number;
  readonly viabilityTokens: number;
  readonly groups: ProfileGroups;
}

/** One parameter set over some of its seeds. */
export interface SweepTask {
  readonly setId: number;
  readonly policy: RewardPolicy;
  /** Index into SweepContext.calibrations. */
  readonly calibration: number;
  readonly seeds: readonly number[];
}

export interface SweepTaskResult {
  readonly setId: number;
  /** metrics[k]: the metrics of seeds[k]. */
  readonly seeds: readonly number[];
  readonly metrics: readonly Record<string, number>[];
  readonly deviceEpochs: number;
}

const fleets = new WeakMap<Calibration, Uint16Array>();

/** The task's seeds, each drawn and paid (sweep-fleet-rewards.ts) and measured (sweep-metrics.ts): depends on the task alone. */
export function runSweepTask(context: SweepContext, task: SweepTask): SweepTaskResult {
  const calibration = context.calibrations[task.calibration]!;
  let profiles = fleets.get(calibration);
  if (profiles === undefined) fleets.set(calibration, (profiles = fleetProfiles(calibration, context.devices)));
  const metrics = task.seeds.map((seed) => {
    const paid = fleetRewards(calibration, task.policy, profiles, context.epochs, seed);
    return sweepMetrics({ ...paid, profileOfDevice: profiles, viabilityTokens: context.viabilityTokens }, context.groups);
  });
  return { setId: task.setId, seeds: task.seeds, metrics, deviceEpochs: task.seeds.length * context.devices * context.epochs };
}

/** The calibration with its columns copied into SharedArrayBuffers: every worker then reads the same memory, nothing is copied per worker or task. */
export function shareCalibration(calibration: Calibration): Calibration {
  const records = {} as Record<keyof RecordColumns, unknown>;
  for (const name of Object.keys(COLUMN_TYPES) as (keyof RecordColumns)[]) {
    const column = calibration.records[name];
    const Type = COLUMN_TYPES[name];
    // The typings of Node 20's typed-array constructors take an ArrayBuffer; a SharedArrayBuffer is accepted at run time.
    const shared = new Type(new SharedArrayBuffer(column.byteLength) as unknown as ArrayBuffer);
    shared.set(column as never);
    records[name] = shared;
  }
  return { ...calibration, records: records as unknown as RecordColumns };
}
