import { latLngToCell } from 'h3-js';
import { closeDeviceEpoch, type DeviceEpochContext, type DeviceMeta } from '../../backend/epochs/device-epoch.ts';
import type { EpochFlag } from '../../backend/epochs/flags.ts';
import { workUnits, type RuleParams } from '../../core/reward-rule.ts';
import { factsFromReadings } from '../../core/reward-policy/index.ts';
import type { StoredReading } from '../../backend/store/run-store.ts';
import { summarizeDevice } from '../../backend/epochs/summarize.ts';

/** Bit of each epoch flag in a record's `flagMask`, in this fixed order (a calibration file stores the mask). */
export const FLAG_BITS: readonly EpochFlag[] = ['impossible-speed', 'teleport', 'noise-free', 'duplicate-key', 'flooding', 'replay', 'forged-signature', 'wrong-topic'];

/** What the backend's epoch close would have made of one device in one epoch, and what it published. */
export interface DeviceEpochRecord {
  /** Selected readings (≤ K) that earn: present and not flagged, exactly as `workUnits` counts them. */
  countedSamples: number;
  /** Σ capped step distances (1e-7 degree) by the rule: `workUnits` with unitsPerSample = 0. */
  stepUnits: number;
  /** 1 when the epoch summary flagged the device (its readings then earn nothing). */
  flagged: number;
  /** The summary's flags as bits (FLAG_BITS). */
  flagMask: number;
  /**
   * Flagged readings among the K selected: the policy's `flaggedReadings` (rewards.ts), which an
   * epoch penalty and a stake slash read. Not `flagged`: flagLargeJumps flags a single reading
   * of a device the summary did not flag.
   */
  flaggedReadings: number;
  /** The same two numbers had the summary not flagged the device: for policies that penalize otherwise than "flag ⇒ 0". */
  unflaggedSamples: number;
  unflaggedStepUnits: number;
  /** Readings the ingest accepted in the epoch. */
  accepted: number;
  /** Messages refused in the epoch (any reason), as the close counted them. */
  rejected: number;
  /**
   * Distinct h3 cells of the counted readings (the K selected, unflagged), at the calibration's
   * resolution, sorted: the cells a run's policy pays coverage for (core/reward-policy/rewards.ts).
   */
  cells: string[];
}

/** The paid-for part of one device-epoch by the same functions the epoch close uses (backend/epochs/device-epoch.ts). */
export function deviceEpochRecord(
  input: { deviceIndex: number; readings: readonly StoredReading[]; packages: readonly Uint8Array[]; rejected: Readonly<Record<string, number>>; meta: DeviceMeta },
  ctx: DeviceEpochContext,
  resolution: number,
): DeviceEpochRecord {
  const { findings, work } = closeDeviceEpoch(input, ctx);
  const stepParams: RuleParams = { ...ctx.params, unitsPerSample: 0n };
  const k = ctx.readingsPerDevice;
  const paid = work === undefined ? { samples: 0, steps: 0 } : { samples: work.readings.filter((r) => !r.flagged).length, steps: Number(workUnits(work.readings, stepParams, k)) };
  const unflagged = findings.length === 0 || input.readings.length === 0
    ? paid
    : (() => {
        const w = summarizeDevice(input.deviceIndex, input.readings, ctx.params, k, false);
        return { samples: w.readings.filter((r) => !r.flagged).length, steps: Number(workUnits(w.readings, stepParams, k)) };
      })();
  // The facts the epoch close prices this work by (backend/epochs/price-epoch.ts); a device without a
  // reading has no work and no facts, so nothing to penalize or slash.
  const facts = work === undefined ? undefined : factsFromReadings(work.deviceIndex, work.readings, ctx.params, k);
  let flagMask = 0;
  for (const f of findings) flagMask |= 1 << FLAG_BITS.indexOf(f.flag);
  const cells = new Set<string>();
  for (const r of work?.readings ?? []) if (!r.flagged) cells.add(latLngToCell(r.latE7 / 1e7, r.lonE7 / 1e7, resolution));
  return {
    countedSamples: paid.samples,
    stepUnits: paid.steps,
    flagged: findings.length > 0 ? 1 : 0,
    flagMask,
    flaggedReadings: facts?.flaggedReadings ?? 0,
    unflaggedSamples: unflagged.samples,
    unflaggedStepUnits: unflagged.steps,
    accepted: input.readings.length,
    rejected: Object.values(input.rejected).reduce((a, b) => a + b, 0),
    cells: [...cells].sort(),
  };
}
