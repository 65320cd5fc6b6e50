import type { Logger } from '../../core/ports.ts';
import type { RewardPolicy } from '../../core/reward-policy/index.ts';
import type { EpochBook } from '../../backend/epochs/epoch-books.ts';
import type { CircuitShape, RuleParams } from '../../core/reward-rule.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import type { SettlementPipeline } from '../../backend/settlement/settlement-pipeline.ts';
import type { DeviceMeta } from '../../backend/epochs/close-epoch.ts';
import { createEpochClosing } from '../../backend/epoch-closing.ts';
import { epochCloseRecords, openEpochs } from '../../backend/epochs/close-records.ts';

/** An epoch `pinbench resume` closed: it was open, or half closed, when the run stopped. */
export interface ResumedEpoch {
  epoch: number;
  devices: number;
  readings: number;
  flagged: number;
}

/**
 * Closes every epoch of the scenario that has accepted readings in run.db and no close record
 * (backend/epochs/close-records.ts): the readings run.db holds are all there is, since the
 * devices' later ones died with the run. The close is the live one (same flags, same batches,
 * same rule); a batch already a proof job from a half-finished close is not added twice.
 */
export async function closeOpenEpochs(input: {
  store: RunStore;
  scenario: Scenario;
  shape: CircuitShape;
  params: RuleParams;
  /** The run's reward policy (sim/run/run-policy.ts); absent: today's rule. */
  policy?: RewardPolicy;
  openEpoch?: (book: EpochBook) => Promise<void>;
  pipeline: SettlementPipeline;
  logger: Logger;
}): Promise<ResumedEpoch[]> {
  const { store, scenario } = input;
  const open = openEpochs(store, scenario.epochs.count);
  if (open.length === 0) return [];
  const records = epochCloseRecords(store);
  // Rejections before the first open epoch were counted by the closes that finished.
  const rejectionCursor = Math.max(0, ...[...records.values()].filter((r) => r.epoch < open[0]!).map((r) => r.rejectionCursor));
  const closed: ResumedEpoch[] = [];
  const devices = deviceMetaOf(store, scenario);
  const closing = createEpochClosing({
    store, pipeline: input.pipeline, shape: input.shape, params: input.params,
    ...(input.policy === undefined ? {} : { policy: input.policy }), ...(input.openEpoch === undefined ? {} : { openEpoch: input.openEpoch }), epochLengthS: scenario.epochs.lengthS,
    devices: () => devices, rejectionCursor, wallNowMs: () => performance.timeOrigin + performance.now(), logger: input.logger,
    events: { epochClosed: (stat) => void closed.push(stat) },
  });
  for (const epoch of open) {
    input.logger.info(`epoch ${epoch} was open when the run stopped: closing it with the ${countReadings(store, epoch)} readings run.db holds`);
    await closing.closeEpoch(epoch);
  }
  return closed;
}

function countReadings(store: RunStore, epoch: number): number {
  return (store.db.prepare('SELECT count(*) AS n FROM readings WHERE epoch = ?').get(epoch) as { n: number }).n;
}

/**
 * What the epoch close knows of each registered device, from run.db as the run's directory had
 * it: upload periods from `device_profiles` (the bench's devices) or the scenario's `attached:`
 * entries, and how many devices share each public key.
 */
export function deviceMetaOf(store: RunStore, scenario: Scenario): Map<string, DeviceMeta> {
  const rows = store.db
    .prepare('SELECT d.device_index AS deviceIndex, d.device_id AS deviceId, hex(d.public_key) AS key, p.upload_period_s AS uploadPeriodS FROM devices d LEFT JOIN device_profiles p USING (device_index)')
    .all() as Array<{ deviceIndex: number; deviceId: string; key: string; uploadPeriodS: number | null }>;
  const attached = new Map(scenario.attached.map((a) => [a.id, a.uploadPeriodS]));
  const shares = new Map<string, number>();
  for (const row of rows) shares.set(row.key, (shares.get(row.key) ?? 0) + 1);
  const meta = new Map<string, DeviceMeta>();
  for (const row of rows) {
    const uploadPeriodS = row.uploadPeriodS ?? attached.get(row.deviceId);
    // A device attached from the command line (--attach) is in neither: the epoch summary then does not judge its upload rate.
    if (uploadPeriodS === undefined) continue;
    meta.set(row.deviceId, { deviceIndex: row.deviceIndex, uploadPeriodS, keyShares: shares.get(row.key)! });
  }
  return meta;
}
