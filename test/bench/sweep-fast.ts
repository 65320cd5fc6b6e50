// Fast-mode benchmark, JSON on stdout: device-epochs per second of the sweep's sampler
// (sim/sweep/fast-sampler.ts) for 1,000 devices × 30 epochs per (parameter set, seed) job:
// the draw alone and with a trivial reward sum over the arrays on one thread, then with tinypool
// over --workers threads, each taking whole jobs. The target (issue 20): 30 million
// device-epochs in under 2 minutes on 2 cores, i.e. ≥ 250,000 device-epochs/s per core.
// The calibration it draws from is adversaries.yaml's fleet scaled to --calibrate-devices trackers
// (its time is reported; a second run reads it from the cache).
// Usage: npx tsx test/bench/sweep-fast.ts [--jobs 40] [--workers 2] [--calibrate-devices 1000] [--calibrate-epochs 3] [--devices-per-profile N]
import Tinypool from 'tinypool';
import { scaledAdversaries } from './scaled-adversaries.ts';
import { calibrate } from '../../sim/sweep/calibrate.ts';
import { fleetProfiles, sampleFleet } from '../../sim/sweep/fast-sampler.ts';
import { runSweepBenchJob, type SweepBenchJob } from './sweep-fast-worker.ts';
import { benchArgs, integer } from './bench-args.ts';

const args = benchArgs({
  jobs: integer(40),
  workers: integer(2),
  calibrateDevices: integer(1000),
  calibrateEpochs: integer(3),
  /** 0: every device of the scaled fleet runs. */
  devicesPerProfile: integer(0, 0),
});
const { jobs: JOBS, workers: WORKERS, calibrateDevices: CALIBRATE_DEVICES, calibrateEpochs: CALIBRATE_EPOCHS, devicesPerProfile: PER_PROFILE } = args;
const DEVICES = 1000;
const EPOCHS = 30;
const TARGET_PER_CORE = 250_000;

const scenario = scaledAdversaries(CALIBRATE_DEVICES);
const t0 = performance.now();
const { calibration, cached, file } = await calibrate(scenario, { epochs: CALIBRATE_EPOCHS, resolution: 8, ...(PER_PROFILE > 0 ? { devicesPerProfile: PER_PROFILE } : {}) });
const calibrateS = (performance.now() - t0) / 1000;
const profiles = fleetProfiles(calibration, DEVICES);

const perJob = DEVICES * EPOCHS;
const time = (fn: () => void): number => {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
};
// Warm-up: the JIT settles on the sampler's loop before anything is timed.
for (let s = 0; s < 3; s++) sampleFleet(calibration, { profileOfDevice: profiles, epochs: EPOCHS, seed: 1000 + s }, () => undefined);
const drawS = time(() => {
  for (let s = 0; s < JOBS; s++) sampleFleet(calibration, { profileOfDevice: profiles, epochs: EPOCHS, seed: s }, () => undefined);
});
const job = (seed: number): SweepBenchJob => ({ file, key: calibration.key, devices: DEVICES, epochs: EPOCHS, seed, unitsPerSample: 1000 + (seed % 4) * 100 });
let checksum = 0;
const rewardS = time(() => {
  for (let s = 0; s < JOBS; s++) checksum += runSweepBenchJob(job(s)).total;
});

const pool = new Tinypool({
  filename: new URL('./sweep-fast-worker-entry.js', import.meta.url).href,
  minThreads: WORKERS, maxThreads: WORKERS,
});
// Each worker reads the calibration once before the timed jobs.
await Promise.all(Array.from({ length: WORKERS }, (_, w) => pool.run(job(2000 + w))));
let pooledChecksum = 0;
const t1 = performance.now();
const results = await Promise.all(Array.from({ length: JOBS }, (_, s) => pool.run(job(s)) as Promise<{ total: number }>));
const pooledS = (performance.now() - t1) / 1000;
for (const r of results) pooledChecksum += r.total;
await pool.destroy();

const rate = (s: number) => Math.round((JOBS * perJob) / s);
const out = {
  scenario: scenario.name,
  calibration: {
    devices: calibration.profiles.reduce((n, p) => n + p.devices, 0), epochs: CALIBRATE_EPOCHS, epochLengthS: calibration.epochLengthS,
    calibratedDevices: calibration.profiles.reduce((n, p) => n + p.calibratedDevices, 0), profiles: calibration.profiles.length, records: calibration.records.countedSamples.length, cells: calibration.cellIds.length,
    cached, wallS: Number(calibrateS.toFixed(2)), runMs: calibration.calibrationMs,
  },
  job: { devices: DEVICES, epochs: EPOCHS, jobs: JOBS },
  drawOnlyPerS: rate(drawS),
  drawAndRewardSumPerS: rate(rewardS),
  pooled: { workers: WORKERS, perS: rate(pooledS), perWorkerPerS: Math.round(rate(pooledS) / WORKERS) },
  targetPerCorePerS: TARGET_PER_CORE,
  projected30MOn2CoresS: Number((30_000_000 / rate(pooledS)).toFixed(1)),
  // The same jobs give the same sums in the pool as on this thread: draws depend on the seed only.
  sameSumsPooled: checksum === pooledChecksum,
};
console.log(JSON.stringify(out, null, 2));
