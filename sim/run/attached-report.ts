import type { RunStore } from '../../backend/store/run-store.ts';
import type { DeviceDirectory } from '../../backend/directory/device-directory.ts';
import type { BackendBroker } from '../../backend/start-backend.ts';
import type { ReceivedPublish } from '../../backend/start-backend.ts';
import type { AttachedDeviceReport } from '../../reports/types.ts';
import type { ClaimSummary } from './claims.ts';
import type { AttachedDevice } from '../attach/attached-device.ts';

/** Publishes the broker received from each attached device: the bench sees a real device only through it. */
export class AttachedTraffic {
  private readonly publishes = new Map<string, number>();
  private readonly ids: ReadonlySet<string>;

  constructor(devices: readonly AttachedDevice[]) {
    this.ids = new Set(devices.map((d) => d.deviceId));
  }

  received(publish: ReceivedPublish): void {
    if (this.ids.has(publish.deviceId)) this.publishes.set(publish.deviceId, (this.publishes.get(publish.deviceId) ?? 0) + 1);
  }

  /** undefined: never heard from. */
  publishesOf(deviceId: string): number | undefined {
    return this.publishes.get(deviceId);
  }
}

/** What an attached device is doing, as the broker and its traffic tell: the report's row and the run's samples say it alike. */
export function attachedState(deviceId: string, broker: Pick<BackendBroker, 'isConnected'>, traffic: AttachedTraffic): AttachedDeviceReport['state'] {
  return broker.isConnected(deviceId) === true ? 'online' : traffic.publishesOf(deviceId) === undefined ? 'never heard from' : 'offline';
}

/**
 * One report row per attached device: its state, what it sent and what became of it (from
 * run.db), the units the settlement contract accrued to it (read from the chain before the
 * claims) and its reward, which its owner claims with `pinbench claim`.
 */
export function attachedRows(input: {
  devices: readonly AttachedDevice[];
  traffic: AttachedTraffic;
  directory: DeviceDirectory;
  store: RunStore;
  claims: ClaimSummary;
  broker: Pick<BackendBroker, 'isConnected'>;
}): AttachedDeviceReport[] {
  const { store } = input;
  const accepted = store.db.prepare('SELECT count(*) AS n FROM readings WHERE device_index = ?');
  const rejected = store.db.prepare('SELECT reason, count(*) AS n FROM rejections WHERE client_id = ? GROUP BY reason ORDER BY reason');
  const reward = store.db.prepare('SELECT reward_wei AS wei FROM rewards WHERE device_index = ?');
  const flagged = store.db.prepare('SELECT DISTINCT epoch FROM flags WHERE device_index = ? ORDER BY epoch');
  return input.devices.map((device) => {
    const registration = input.directory.registration(device.deviceId);
    const index = registration?.index ?? null;
    const publishes = input.traffic.publishesOf(device.deviceId);
    const rewardWei = index === null ? 0n : (reward.all(index) as Array<{ wei: string }>).reduce((a, r) => a + BigInt(r.wei), 0n);
    return {
      deviceId: device.deviceId,
      source: device.source,
      owner: device.owner,
      deviceIndex: index,
      state: attachedState(device.deviceId, input.broker, input.traffic),
      publishes: publishes ?? 0,
      accepted: index === null ? 0 : (accepted.get(index) as { n: number }).n,
      flaggedEpochs: index === null ? [] : (flagged.all(index) as Array<{ epoch: number }>).map((f) => f.epoch),
      rejected: Object.fromEntries((rejected.all(device.deviceId) as Array<{ reason: string; n: number }>).map((r) => [r.reason, r.n])),
      unitsAccrued: (index === null ? 0n : (input.claims.accruedBefore.get(index) ?? 0n)).toString(),
      rewardWei: rewardWei.toString(),
    };
  });
}
