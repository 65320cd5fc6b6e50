/**
 * A calibration: per profile, a pool of device-epoch records taken from the full device models
 * (sim/sweep/calibrate.ts), as flat typed arrays so the fast sampler never builds an object per
 * device-epoch. Record r of profile p lies in [profiles[p].start, profiles[p].end).
 */
export interface Calibration {
  /** sha256 over the scenario's fleet, epochs, seed and what else shapes a record, and the calibration settings (calibration-key.ts). */
  key: string;
  scenario: { name: string; seed: number | string };
  settings: { epochs: number; resolution: number; devicesPerProfile?: number };
  /** The rule the records were computed by: K, units per counted sample, the step cap. */
  rule: { readingsPerDevice: number; unitsPerSample: number; maxStepE7: number };
  epochLengthS: number;
  profiles: ProfilePool[];
  /** Wall time the calibration run took (ms); kept with the cached file. */
  calibrationMs: number;
  records: RecordColumns;
  /** Cell dictionary: `records.cells` holds indexes into it; each entry an h3 index (hex string). */
  cellIds: string[];
}

export interface RecordColumns {
  /** Selected readings that earn, as `workUnits` counts them (≤ K ≤ 15). */
  countedSamples: Uint8Array;
  /** Capped step units by the rule (workUnits with unitsPerSample = 0). */
  stepUnits: Float64Array;
  /** 1 when the epoch summary flagged the device-epoch. */
  flagged: Uint8Array;
  /** Which flags (device-epoch-record.ts FLAG_BITS). */
  flagMask: Uint16Array;
  /** Flagged readings among the K selected (≤ K ≤ 15): what an epoch penalty and a slash read, not `flagged`. */
  flaggedReadings: Uint8Array;
  /** Counted samples and step units had the device not been flagged. */
  unflaggedSamples: Uint8Array;
  unflaggedStepUnits: Float64Array;
  /** Readings accepted, messages refused. */
  accepted: Uint32Array;
  rejected: Uint32Array;
  /** Record r's cells are cells[cellOffsets[r] .. cellOffsets[r+1]) (length records + 1). */
  cellOffsets: Uint32Array;
  cells: Uint32Array;
}

export interface Spread {
  mean: number;
  sd: number;
}

export interface ProfilePool {
  /** The report's label (sim/fleet/fleet-plan.ts profileLabel): `car`, `walk + flaky-network`, `car · gps-spoofing`. */
  name: string;
  motion: string;
  faults: string[];
  adversary: string | undefined;
  /** Devices of the scenario with this profile (sybil clones included): the mix fleetProfiles scales. */
  devices: number;
  /** Of those, the devices the calibration ran (CalibrateOptions.devicesPerProfile); their epochs are the pool. */
  calibratedDevices: number;
  start: number;
  end: number;
  stats: PoolStats;
}

export interface PoolStats {
  records: number;
  countedSamples: Spread;
  stepUnits: Spread;
  /** unitsPerSample · counted + step units: what today's rule pays per device-epoch. */
  units: Spread;
  accepted: Spread;
  /** Share of the pool's device-epochs the summary flagged. */
  flagRate: number;
  cellsPerDeviceEpoch: Spread;
}

export const COLUMN_TYPES = {
  countedSamples: Uint8Array,
  stepUnits: Float64Array,
  flagged: Uint8Array,
  flagMask: Uint16Array,
  flaggedReadings: Uint8Array,
  unflaggedSamples: Uint8Array,
  unflaggedStepUnits: Float64Array,
  accepted: Uint32Array,
  rejected: Uint32Array,
  cellOffsets: Uint32Array,
  cells: Uint32Array,
} as const;

function spread(values: ArrayLike<number>, from: number, to: number, f: (v: number, r: number) => number = (v) => v): Spread {
  const n = to - from;
  if (n === 0) return { mean: 0, sd: 0 };
  let sum = 0;
  for (let r = from; r < to; r++) sum += f(values[r]!, r);
  const mean = sum / n;
  let sq = 0;
  for (let r = from; r < to; r++) sq += (f(values[r]!, r) - mean) ** 2;
  return { mean, sd: Math.sqrt(sq / n) };
}

/** Summary statistics of the records [start, end). */
export function poolStats(records: RecordColumns, start: number, end: number, unitsPerSample: number): PoolStats {
  const n = end - start;
  let flagged = 0;
  for (let r = start; r < end; r++) flagged += records.flagged[r]!;
  return {
    records: n,
    countedSamples: spread(records.countedSamples, start, end),
    stepUnits: spread(records.stepUnits, start, end),
    units: spread(records.countedSamples, start, end, (c, r) => unitsPerSample * c + records.stepUnits[r]!),
    accepted: spread(records.accepted, start, end),
    flagRate: n === 0 ? 0 : flagged / n,
    cellsPerDeviceEpoch: spread(records.cellOffsets, start, end, (o, r) => records.cellOffsets[r + 1]! - o),
  };
}
