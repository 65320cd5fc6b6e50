import type { DeviceSpec } from '../../devices/index.ts';
import type { DeviceDirectory } from '../../backend/directory/device-directory.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import type { FleetPlan } from './fleet-plan.ts';

/** An acknowledged reading as the bench saw it go out. */
export interface PublishedReading {
  readonly timestampS: number;
  /** Wall ms when the device sent it; -1 when unknown. */
  readonly sentMs: number;
}

/** The bench's side of a planned fleet before and after the backend knows it. */
export interface FleetEnrolment {
  readonly specs: readonly DeviceSpec[];
  /** A device of registrar mode asks to be put on chain: its maker's registration, through the backend's directory. */
  register(deviceId: string): Promise<number>;
  /**
   * Records an acknowledged publish in run.db (`published`), against which the ingest is checked;
   * `reading` tells the reading's timestamp and its wall send time (-1 unknown) to who needs them.
   */
  recordPublished(deviceId: string, digest: Uint8Array, publishedMs: number, reading?: PublishedReading): void;
  /** Whether `recordPublished` reads `reading` (`--observe` does): else the fleet in this process does not look up send times. */
  readonly wantsReadings?: boolean;
  /** Devices of this fleet on chain. */
  registeredCount(): number;
  /** Waits for every queued registration. */
  drain(): Promise<void>;
}

/**
 * Provisions every planned device in the backend's directory — the same call a real device is
 * provisioned with: its MQTT login, factory key, owner and configured upload period — and, as
 * the registry records each one, writes what the bench made of it (name, motion, profile) to
 * run.db for the report. The backend learns nothing else from the plan.
 */
export function enrolFleet(input: { plan: FleetPlan; directory: DeviceDirectory; store: RunStore }): FleetEnrolment {
  const { plan, directory, store } = input;
  const specs: DeviceSpec[] = plan.devices.map((d) => d.spec);
  const plannedById = new Map(plan.devices.map((d) => [d.spec.id, d]));
  for (const { spec } of plan.devices) {
    directory.provision({
      deviceId: spec.id, password: spec.password, publicKey: spec.publicKey, curve: spec.curve, owner: spec.ownerAddress, uploadPeriodS: spec.uploadPeriodS,
    });
  }
  let registered = 0;
  directory.onRegistered((devices) => {
    const rows = [];
    for (const { index, deviceId } of devices) {
      const planned = plannedById.get(deviceId);
      if (planned === undefined) continue;
      registered += 1;
      const { spec } = planned;
      rows.push({ deviceIndex: index, name: spec.name, motion: spec.motion, profile: planned.profile, adversary: planned.adversary ?? null, uploadPeriodS: spec.uploadPeriodS });
    }
    store.describeDevices(rows);
  });
  return {
    specs,
    register: (deviceId) => directory.register(deviceId),
    recordPublished(deviceId, digest, publishedMs) {
      store.addPublished({ deviceIndex: directory.registration(deviceId)?.index ?? 0, digest, publishedMs });
    },
    registeredCount: () => registered,
    drain: () => directory.drain(),
  };
}
