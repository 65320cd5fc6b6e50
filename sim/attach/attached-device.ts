import { createHash } from 'node:crypto';
import { getAddress } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import { IMEI_PATTERN } from '../../protocol/client-ids.ts';
import type { CurveName } from '../../protocol/curves.ts';
import type { ProvisioningRecord } from '../../backend/directory/device-directory.ts';

/**
 * A real device that joins a run: provisioned like a virtual tracker (its MQTT login, the key
 * its secure element signs with, its owner, its upload period), but its traffic comes from
 * outside the bench and its owner's key is not the bench's.
 */
export interface AttachedDevice {
  readonly deviceId: string;
  readonly publicKey: Uint8Array;
  readonly curve: CurveName;
  readonly owner: string;
  readonly password: string;
  readonly uploadPeriodS: number;
  /** `registrar`: put on chain when the run starts; `confirm`: by the firmware's query → proposal → confirm exchange. */
  readonly registration: 'registrar' | 'confirm';
  /** Where the run learned of it: the scenario's `attached:` list or `pinbench device add`. */
  readonly source: 'scenario' | 'device add';
}

/** The Pebble firmware's default upload period. */
export const DEFAULT_ATTACHED_UPLOAD_PERIOD_S = 10;

/** A real device's id must be an IMEI (`IMEI_PATTERN`). */
export function checkDeviceId(id: string, what = '--id'): string {
  if (!IMEI_PATTERN.test(id)) {
    throw new PinbenchError('DEVICE_ID_INVALID', `${what}: expected the device's IMEI, 15 digits, got "${id}"; the Pebble prints it at boot and on its label`, {
      details: { id },
    });
  }
  return id;
}

export function checkOwner(owner: string, what = '--owner'): string {
  try {
    return getAddress(owner);
  } catch {
    throw new PinbenchError('OWNER_INVALID', `${what}: expected an Ethereum address (0x and 40 hex digits), got "${owner}"`, { details: { owner } });
  }
}

/**
 * A scenario's attached device gets the same password in every run of that scenario and seed,
 * so a board configured once keeps working. It guards a loopback bench, not a production fleet:
 * client certificates are the way to log in where that matters.
 */
export function scenarioDevicePassword(seed: number, deviceId: string): string {
  return createHash('sha256').update(`pinbench/attached-password/${seed}/${deviceId}`).digest('base64url').slice(0, 24);
}

export function provisioningRecordOf(device: AttachedDevice): ProvisioningRecord {
  return {
    deviceId: device.deviceId,
    password: device.password,
    publicKey: device.publicKey,
    curve: device.curve,
    owner: device.owner,
    uploadPeriodS: device.uploadPeriodS,
  };
}
