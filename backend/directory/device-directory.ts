import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { CurveName } from '../../protocol/curves.ts';
import { createVerifier } from '../../protocol/verify.ts';
import type { DeviceMeta } from '../epochs/close-epoch.ts';
import type { IngestDevice } from '../ingest/ingest.ts';
import type { RunStore } from '../store/run-store.ts';
import { BatchingRegistrar } from './batching-registrar.ts';

/**
 * What a backend is given about a device before it first connects — by its maker, its owner's
 * claim and its operator — and nothing else: the MQTT login it issues, the key the device's
 * secure element signs with (the factory's record, used to check a registration confirm), the
 * owner the device is to be proposed to, and the upload period the backend configures for it.
 * The bench provisions its virtual devices with this call; a real device is provisioned the same way.
 */
export interface ProvisioningRecord {
  /** IMEI: also the MQTT client id and username. */
  readonly deviceId: string;
  readonly password: string;
  /** 65-byte uncompressed public key. */
  readonly publicKey: Uint8Array;
  readonly curve: CurveName;
  /** Owner address (checksummed). */
  readonly owner: string;
  /** The upload period the backend configures for the device, s: the epoch summary judges flooding by it. */
  readonly uploadPeriodS: number;
}

/** A device's confirm as the registry records it: its clock's timestamp and the 64-byte r‖s signature. */
export interface DeviceConfirm {
  readonly timestamp: number;
  readonly signature: Uint8Array;
}

/** A device on chain, as the registry's `DeviceRegistered` event tells it. */
export interface RegisteredDevice {
  readonly index: number;
  readonly deviceId: string;
  readonly publicKey: Uint8Array;
  readonly owner: string;
}

/** The registry contract, as the directory uses it (backend/chain/chain-client.ts). */
export interface DeviceRegistryPort {
  /** Registers the devices on chain; resolves with each one's `DeviceRegistered` event, in input order. */
  register(devices: Array<{ deviceId: string; publicKey: Uint8Array; owner: string; confirm?: DeviceConfirm }>): Promise<RegisteredDevice[]>;
}

/**
 * The backend's knowledge of devices: provisioning records (who may log in, with which key and
 * owner) and the registry's events (who is on chain, at which index, with which key). The
 * ingest verifies readings with the key the registry recorded; the epoch summary takes upload
 * periods from the provisioning record and key sharing from the registry. Registrations are
 * sent to the registry in batches. Listeners hear of every registration as it is recorded.
 */
export class DeviceDirectory {
  private readonly records = new Map<string, ProvisioningRecord>();
  private readonly logins = new Map<string, string>();
  private readonly registered = new Map<string, RegisteredDevice>();
  private readonly verifying = new Map<string, IngestDevice>();
  private readonly keyUses = new Map<string, number>();
  private readonly listeners: Array<(devices: readonly RegisteredDevice[]) => void> = [];
  private readonly registrar: BatchingRegistrar<{ record: ProvisioningRecord; confirm: DeviceConfirm | undefined }>;

  constructor(private readonly deps: { registry: DeviceRegistryPort; store: RunStore; logger: Logger }) {
    this.registrar = new BatchingRegistrar(
      async (entries) => {
        const events = await deps.registry.register(
          entries.map(({ record: r, confirm }) => ({ deviceId: r.deviceId, publicKey: r.publicKey, owner: r.owner, ...(confirm ? { confirm } : {}) })),
        );
        this.record(events);
        deps.logger.debug(`registered ${events.length} devices`);
        return events.map((e) => e.index);
      },
      { maxBatch: 200, lingerMs: 50 },
    );
  }

  /** Issues a device's MQTT login and records what the backend knows of it before it connects. */
  provision(record: ProvisioningRecord): void {
    if (this.records.has(record.deviceId)) {
      throw new PinbenchError('DEVICE_ALREADY_PROVISIONED', `device ${record.deviceId} is provisioned already: give each device one provisioning record`, {
        details: { deviceId: record.deviceId },
      });
    }
    this.records.set(record.deviceId, record);
    this.logins.set(record.deviceId, record.password);
  }

  /** The provisioning record of a device, by MQTT client id. */
  provisioned(deviceId: string): ProvisioningRecord | undefined {
    return this.records.get(deviceId);
  }

  /** device id → password: who may log in to the broker. */
  get credentials(): ReadonlyMap<string, string> {
    return this.logins;
  }

  /** Registered devices by client id, with the key the ingest verifies their readings by. */
  get ingestDevices(): ReadonlyMap<string, IngestDevice> {
    return this.verifying;
  }

  /**
   * Puts a provisioned device on chain (batched) and resolves with its registry index;
   * `confirm` is the device's checked ConfirmPackage, recorded on chain with it.
   */
  register(deviceId: string, confirm?: DeviceConfirm): Promise<number> {
    const record = this.records.get(deviceId);
    if (record === undefined) {
      return Promise.reject(new PinbenchError('DEVICE_NOT_PROVISIONED', `device ${deviceId} is not provisioned: provision it before registering it`, { details: { deviceId } }));
    }
    return this.registrar.register({ record, confirm });
  }

  /** On chain: its registration was mined. */
  isRegistered(deviceId: string): boolean {
    return this.registered.has(deviceId);
  }

  /** The registry's record of a device. */
  registration(deviceId: string): RegisteredDevice | undefined {
    return this.registered.get(deviceId);
  }

  registeredCount(): number {
    return this.registered.size;
  }

  /** Called with each batch of registrations as it is recorded (run.db's `devices` rows exist by then). */
  onRegistered(listener: (devices: readonly RegisteredDevice[]) => void): void {
    this.listeners.push(listener);
  }

  /** Waits for every queued registration. */
  drain(): Promise<void> {
    return this.registrar.drain();
  }

  /** Registered devices by client id, as the epoch summary needs them. */
  deviceMeta(): ReadonlyMap<string, DeviceMeta> {
    const meta = new Map<string, DeviceMeta>();
    for (const [deviceId, device] of this.registered) {
      meta.set(deviceId, {
        deviceIndex: device.index,
        uploadPeriodS: this.records.get(deviceId)!.uploadPeriodS,
        keyShares: this.keyUses.get(keyOf(device.publicKey)) ?? 1,
      });
    }
    return meta;
  }

  private record(events: readonly RegisteredDevice[]): void {
    this.deps.store.addDevices(events.map((e) => ({ deviceIndex: e.index, deviceId: e.deviceId, owner: e.owner, publicKey: e.publicKey })));
    for (const e of events) {
      const { curve } = this.records.get(e.deviceId)!;
      this.registered.set(e.deviceId, e);
      this.verifying.set(e.deviceId, { index: e.index, verify: createVerifier(e.publicKey, curve).verify, publicKey: e.publicKey, curve });
      const key = keyOf(e.publicKey);
      this.keyUses.set(key, (this.keyUses.get(key) ?? 0) + 1);
    }
    for (const listener of this.listeners) listener(events);
  }
}

const keyOf = (publicKey: Uint8Array): string => Buffer.from(publicKey).toString('hex');
