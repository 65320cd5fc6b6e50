import type { BackendIo } from '../../../backend/ports.ts';
import type { RunStore } from '../../../backend/store/run-store.ts';
import type { FleetEnrolment, PublishedReading } from '../../fleet/fleet-enrolment.ts';
import type { FleetPlan } from '../../fleet/fleet-plan.ts';

/**
 * The fleet's enrolment when no backend of pinbench's runs (`--backend none`): the team's backend
 * knows the devices by the credentials `pinbench provision` gave it, so each counts as
 * registered from the start, under its plan index. A PUBACK is as far as the bench can follow a
 * reading: it is recorded in run.db's `published`, counts as arrived for the discrete clock (there
 * is no ingest to wait for), and is handed to whoever waits for an answer to it (`--observe`).
 */
export function fleetOnlyEnrolment(input: {
  plan: FleetPlan;
  store: RunStore;
  io: Pick<BackendIo, 'publishArrived'>;
  onAcknowledged?: (deviceId: string, digest: Uint8Array, reading: PublishedReading | undefined) => void;
}): FleetEnrolment {
  const { plan, store, io } = input;
  const indexOf = new Map(plan.devices.map(({ spec }) => [spec.id, spec.index]));
  store.addDevices(plan.devices.map(({ spec }) => ({ deviceIndex: spec.index, deviceId: spec.id, owner: spec.ownerAddress, publicKey: spec.publicKey, name: spec.name, motion: spec.motion })));
  const registered = new Set<string>();
  return {
    specs: plan.devices.map((d) => d.spec),
    register(deviceId) {
      registered.add(deviceId);
      return Promise.resolve(indexOf.get(deviceId) ?? 0);
    },
    recordPublished(deviceId, digest, publishedMs, reading) {
      store.addPublished({ deviceIndex: indexOf.get(deviceId) ?? 0, digest, publishedMs });
      io.publishArrived();
      input.onAcknowledged?.(deviceId, digest, reading);
    },
    wantsReadings: input.onAcknowledged !== undefined,
    registeredCount: () => registered.size,
    drain: () => Promise.resolve(),
  };
}
