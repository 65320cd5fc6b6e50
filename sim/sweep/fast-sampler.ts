import { PinbenchError } from '../../core/errors.ts';
import type { Calibration } from './calibration.ts';
import { DeviceStreams } from './seeded-streams.ts';

/**
 * What a reward function sees of one epoch, device by device (index d of each array):
 * counted samples and capped step units by today's rule, flagged readings among the K selected
 * (the policy's flaggedReadings: a summary-flagged device has all of them flagged, flagLargeJumps
 * may flag one alone), the device's h3 cells (`cells[cellOffsets[d] .. cellOffsets[d+1])`, ids
 * into `calibration.cellIds`), its profile (index into `calibration.profiles`), and the record
 * drawn (index into the calibration's columns, for anything else a policy reads: the summary's
 * flag and flagMask, unflagged work, accepted).
 * The arrays are reused from epoch to epoch: copy what must outlive the call.
 */
export type EpochCallback = (
  epoch: number,
  countedSamples: Uint8Array,
  stepUnits: Float64Array,
  flaggedReadings: Uint8Array,
  cellOffsets: Uint32Array,
  cells: Uint32Array,
  profileIndex: Uint16Array,
  recordIndex: Uint32Array,
) => void;

export interface SampleOptions {
  /** Each device's profile (index into calibration.profiles); its length is the fleet size. */
  profileOfDevice: Uint16Array;
  epochs: number;
  /** An unsigned 32-bit integer: the same seed gives the same draws. */
  seed: number;
}

const TWO_POW_32 = 4294967296;

function checkOptions(calibration: Calibration, options: SampleOptions): void {
  const { profileOfDevice, epochs, seed } = options;
  if (profileOfDevice.length < 1) throw new PinbenchError('SWEEP_SAMPLER_INVALID', 'profileOfDevice: expected at least one device; build it with fleetProfiles(calibration, devices)');
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new PinbenchError('SWEEP_SAMPLER_INVALID', `epochs: expected an integer ≥ 1, got ${String(epochs)}`);
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) throw new PinbenchError('SWEEP_SAMPLER_INVALID', `seed: expected an integer in [0, 4294967295], got ${String(seed)}`);
  const used = new Set(profileOfDevice);
  for (const p of used) {
    const pool = calibration.profiles[p];
    if (pool === undefined) throw new PinbenchError('SWEEP_SAMPLER_INVALID', `profileOfDevice: profile index ${p} does not exist; the calibration has ${calibration.profiles.length} profiles (0–${calibration.profiles.length - 1})`);
    if (pool.end <= pool.start) throw new PinbenchError('SWEEP_SAMPLER_INVALID', `profile ${pool.name} has no records to draw from; calibrate at least one epoch of a scenario with such devices`);
  }
}

/**
 * Fast mode: for each epoch, draws one record per device from its profile's pool (uniformly,
 * with the device's own xoshiro128** stream seeded from (seed, device)) into typed arrays, and
 * calls `onEpoch` with them. No object is made per device-epoch.
 */
export function sampleFleet(calibration: Calibration, options: SampleOptions, onEpoch: EpochCallback): void {
  checkOptions(calibration, options);
  const { profileOfDevice, epochs, seed } = options;
  const devices = profileOfDevice.length;
  const rec = calibration.records;
  const starts = new Uint32Array(calibration.profiles.length);
  const lengths = new Float64Array(calibration.profiles.length);
  let maxCells = 0;
  calibration.profiles.forEach((p, i) => {
    starts[i] = p.start;
    lengths[i] = (p.end - p.start) / TWO_POW_32;
    for (let r = p.start; r < p.end; r++) maxCells = Math.max(maxCells, rec.cellOffsets[r + 1]! - rec.cellOffsets[r]!);
  });
  const streams = new DeviceStreams(seed, devices);
  const counted = new Uint8Array(devices);
  const steps = new Float64Array(devices);
  const flaggedReadings = new Uint8Array(devices);
  const drawn = new Uint32Array(devices);
  const cellOffsets = new Uint32Array(devices + 1);
  const cells = new Uint32Array(devices * maxCells);
  const { countedSamples: poolCounted, stepUnits: poolSteps, flaggedReadings: poolFlaggedReadings, cellOffsets: poolOffsets, cells: poolCells } = rec;
  for (let epoch = 0; epoch < epochs; epoch++) {
    let c = 0;
    for (let d = 0; d < devices; d++) {
      const p = profileOfDevice[d]!;
      // A uniform index in the pool: next() / 2^32 · length, exact for pools below 2^21 records.
      const r = starts[p]! + Math.floor(streams.next(d) * lengths[p]!);
      drawn[d] = r;
      counted[d] = poolCounted[r]!;
      steps[d] = poolSteps[r]!;
      flaggedReadings[d] = poolFlaggedReadings[r]!;
      const to = poolOffsets[r + 1]!;
      for (let k = poolOffsets[r]!; k < to; k++) cells[c++] = poolCells[k]!;
      cellOffsets[d + 1] = c;
    }
    onEpoch(epoch, counted, steps, flaggedReadings, cellOffsets, cells.subarray(0, c), profileOfDevice, drawn);
  }
}

/**
 * A fleet of `devices` with the calibrated scenario's profile mix: each profile's share of the
 * scenario's devices, rounded by largest remainder (ties to the earlier profile), in contiguous
 * blocks in profile order.
 */
export function fleetProfiles(calibration: Calibration, devices: number): Uint16Array {
  if (!Number.isSafeInteger(devices) || devices < 1) throw new PinbenchError('SWEEP_SAMPLER_INVALID', `devices: expected an integer ≥ 1, got ${String(devices)}`);
  const total = calibration.profiles.reduce((n, p) => n + p.devices, 0);
  const exact = calibration.profiles.map((p) => (p.devices * devices) / total);
  const counts = exact.map(Math.floor);
  let left = devices - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    counts[i]! += 1;
    left -= 1;
  }
  const out = new Uint16Array(devices);
  let d = 0;
  counts.forEach((n, i) => {
    out.fill(i, d, d + n);
    d += n;
  });
  return out;
}
