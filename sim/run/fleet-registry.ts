import type { Logger } from '../../core/ports.ts';
import { type DeviceSpec } from '../../devices/index.ts';
import { createVerifier } from '../../protocol/index.ts';
import type { FleetPlan } from './fleet-plan.ts';
import type { DeviceMeta } from '../../backend/epochs/close-epoch.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import type { IngestDevice } from '../../backend/ingest/ingest.ts';
import { BatchingRegistrar } from '../../backend/directory/batching-registrar.ts';
import type { ChainSetup } from '../../backend/chain/chain-client.ts';

const PROFILES_SQL = `CREATE TABLE IF NOT EXISTS device_profiles (
  device_index INTEGER PRIMARY KEY,
  profile TEXT NOT NULL,          -- report label: motion, then adversary or faults
  adversary TEXT,                 -- adversary profile name, NULL for honest devices
  upload_period_s REAL NOT NULL
)`;

/** The backend's side of a fleet: who may connect, who is registered, and what a publish is recorded as. */
export interface FleetRegistry {
  readonly specs: readonly DeviceSpec[];
  readonly credentials: ReadonlyMap<string, string>;
  readonly ingestDevices: ReadonlyMap<string, IngestDevice>;
  /**
   * Puts the device on chain (batched) and resolves with its registry index; `confirm` is the
   * device's checked ConfirmPackage (confirm registration), recorded on chain with it.
   */
  register(spec: DeviceSpec, confirm?: DeviceConfirm): Promise<number>;
  /** The planned device with this MQTT client id. */
  spec(deviceId: string): DeviceSpec | undefined;
  /** On chain (its registration transaction was mined). */
  isRegistered(deviceId: string): boolean;
  /** Waits for every queued registration. */
  drain(): Promise<void>;
  /** Records an acknowledged publish in run.db (`published`), against which the ingest is checked. */
  recordPublished(deviceId: string, digest: Uint8Array, publishedMs: number): void;
  registeredCount(): number;
  deviceMeta(): ReadonlyMap<string, DeviceMeta>;
}

/**
 * Registration and bookkeeping of a planned fleet, wherever its trackers run (this process or
 * a fleet process): registry transactions in batches, the ingest's device table, run.db rows.
 */
/** A device's confirm as the registry records it: its clock's timestamp and the 64-byte r‖s signature. */
export interface DeviceConfirm {
  readonly timestamp: number;
  readonly signature: Uint8Array;
}

export function createFleetRegistry(input: { plan: FleetPlan; chain: ChainSetup; store: RunStore; logger: Logger }): FleetRegistry {
  const { plan, chain, store, logger } = input;
  const specs: DeviceSpec[] = plan.devices.map((d) => d.spec);
  const plannedById = new Map(plan.devices.map((d) => [d.spec.id, d]));
  store.db.exec(PROFILES_SQL);
  const insertProfile = store.db.prepare('INSERT INTO device_profiles (device_index, profile, adversary, upload_period_s) VALUES (?, ?, ?, ?)');
  const keyUses = new Map<string, number>();
  const meta = new Map<string, DeviceMeta>();
  const credentials = new Map(specs.map((s) => [s.id, s.password]));
  const ingestDevices = new Map<string, IngestDevice>();
  const registryIndex = new Map<string, number>();

  const registrar = new BatchingRegistrar<{ spec: DeviceSpec; confirm: DeviceConfirm | undefined }>(
    async (entries) => {
      const batch = entries.map((e) => e.spec);
      const indices = await chain.register(
        entries.map(({ spec: s, confirm }) => ({ deviceId: s.id, publicKey: s.publicKey, owner: s.ownerAddress, ...(confirm ? { confirm } : {}) })),
      );
      store.addDevices(
        batch.map((s, i) => ({ deviceIndex: indices[i]!, deviceId: s.id, name: s.name, motion: s.motion, owner: s.ownerAddress, publicKey: s.publicKey })),
      );
      batch.forEach((s, i) => {
        const verifier = createVerifier(s.publicKey, s.curve);
        const planned = plannedById.get(s.id)!;
        registryIndex.set(s.id, indices[i]!);
        ingestDevices.set(s.id, { index: indices[i]!, verify: verifier.verify, publicKey: s.publicKey, curve: s.curve });
        insertProfile.run(indices[i]!, planned.profile, planned.adversary ?? null, s.uploadPeriodS);
        const key = Buffer.from(s.publicKey).toString('hex');
        keyUses.set(key, (keyUses.get(key) ?? 0) + 1);
        meta.set(s.id, { deviceIndex: indices[i]!, uploadPeriodS: s.uploadPeriodS, keyShares: 0 });
      });
      logger.debug(`registered ${batch.length} devices`);
      return indices;
    },
    { maxBatch: 200, lingerMs: 50 },
  );

  return {
    specs,
    credentials,
    ingestDevices,
    register: (spec, confirm) => registrar.register({ spec, confirm }),
    spec: (deviceId) => plannedById.get(deviceId)?.spec,
    isRegistered: (deviceId) => registryIndex.has(deviceId),
    drain: () => registrar.drain(),
    recordPublished(deviceId, digest, publishedMs) {
      store.addPublished({ deviceIndex: registryIndex.get(deviceId) ?? 0, digest, publishedMs });
    },
    registeredCount: () => registryIndex.size,
    deviceMeta() {
      for (const [id, m] of meta) {
        const spec = plannedById.get(id)!.spec;
        m.keyShares = keyUses.get(Buffer.from(spec.publicKey).toString('hex')) ?? 1;
      }
      return meta;
    },
  };
}
