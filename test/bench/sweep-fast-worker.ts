// One worker of test/bench/sweep-fast.ts: whole (parameter set, seed) jobs over a calibration it
// reads once from the cache file. The "reward" is the trivial one the bench names: today's rule
// summed over the epoch's arrays, device-epochs with a flagged reading earning nothing.
import { readCalibrationFile } from '../../sim/sweep/calibration-file.ts';
import type { Calibration } from '../../sim/sweep/calibration.ts';
import { fleetProfiles, sampleFleet } from '../../sim/sweep/fast-sampler.ts';

export interface SweepBenchJob {
  file: string;
  key: string;
  devices: number;
  epochs: number;
  seed: number;
  /** Stands in for a parameter set: scales units per sample. */
  unitsPerSample: number;
}

let loaded: { file: string; calibration: Calibration; profiles: Uint16Array; devices: number } | undefined;

export function runSweepBenchJob(job: SweepBenchJob): { deviceEpochs: number; total: number; cells: number } {
  if (loaded?.file !== job.file || loaded.devices !== job.devices) {
    const calibration = readCalibrationFile(job.file, job.key);
    if (calibration === undefined) throw new Error(`no calibration ${job.key} in ${job.file}`);
    loaded = { file: job.file, calibration, profiles: fleetProfiles(calibration, job.devices), devices: job.devices };
  }
  let total = 0;
  let cellCount = 0;
  sampleFleet(loaded.calibration, { profileOfDevice: loaded.profiles, epochs: job.epochs, seed: job.seed }, (_e, counted, steps, flaggedReadings, _offsets, cells) => {
    for (let d = 0; d < counted.length; d++) if (flaggedReadings[d] === 0) total += job.unitsPerSample * counted[d]! + steps[d]!;
    cellCount += cells.length;
  });
  return { deviceEpochs: job.devices * job.epochs, total, cells: cellCount };
}

export default runSweepBenchJob;
