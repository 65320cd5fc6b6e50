import type { RuleParams } from '../../core/reward-rule.ts';
import type { StoredReading } from '../store/run-store.ts';
import { flagDeviceEpoch, type FlagFinding } from './flags.ts';
import type { DeviceEpochWork } from '../../core/reward-rule.ts';
import { summarizeDevice } from './summarize.ts';

/** What the epoch summary knows of a registered device besides its readings (backend/directory/device-directory.ts). */
export interface DeviceMeta {
  deviceIndex: number;
  uploadPeriodS: number;
  /** Registered devices sharing this device's public key, itself included. */
  keyShares: number;
}

/** Everything the epoch close knows about one device in one epoch. */
export interface DeviceEpochInput {
  deviceIndex: number;
  /** Accepted readings of the epoch, by timestamp. */
  readings: readonly StoredReading[];
  /** The same readings' signed packages as published, in the same order. */
  packages: readonly Uint8Array[];
  /** Rejections by reason attributed to the device's connection since the previous close. */
  rejected: Readonly<Record<string, number>>;
  /** Registry meta; undefined for a device the fleet does not know (never flagged). */
  meta: DeviceMeta | undefined;
}

export interface DeviceEpochResult {
  findings: FlagFinding[];
  /** Work (units 0 with every reading flagged when the device is flagged); undefined without an accepted reading. */
  work: DeviceEpochWork | undefined;
}

export interface DeviceEpochContext {
  params: RuleParams;
  readingsPerDevice: number;
  epochLengthS: number;
}

/**
 * One device's epoch: its flags and its work, flagged readings included (they earn nothing but
 * are committed, so a published epoch shows what was refused). The epoch close streams the
 * epoch device by device through this function and keeps only what it returns, so a whole
 * epoch's readings are never in memory at once. Swap this function to change the rule.
 */
export function closeDeviceEpoch(input: DeviceEpochInput, ctx: DeviceEpochContext): DeviceEpochResult {
  const findings =
    input.meta === undefined
      ? []
      : flagDeviceEpoch(
          { packages: input.packages, rejected: input.rejected, uploadPeriodS: input.meta.uploadPeriodS, keyShares: input.meta.keyShares },
          ctx.epochLengthS,
        );
  const work =
    input.readings.length > 0
      ? summarizeDevice(input.deviceIndex, input.readings, ctx.params, ctx.readingsPerDevice, findings.length > 0)
      : undefined;
  return { findings, work };
}
