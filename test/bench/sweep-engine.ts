// The sweep engine's benchmark, JSON on stdout: device-epochs per second of `pinbench sweep`'s
// engine (sim/sweep/run-sweep.ts: draws, the policy's float64 rule with h3 coverage density,
// stake, every metric, tinypool workers) for the target shape: 100 parameter sets
// (cap × emission, 10 × 10) × 10 seeds × 1,000 devices × 30 epochs = 30 million device-epochs,
// under 2 minutes on 2 cores (≥ 250,000 device-epochs/s). The calibration is adversaries.yaml
// scaled to 1,000 trackers, 3 epochs at resolution 8, as test/bench/sweep-fast.ts makes it (a
// second run, of either bench, reads it from the cache). --repeat N runs the sweep N times and
// reports the median rate.
// Usage: npx tsx test/bench/sweep-engine.ts [--sets 100] [--seeds 10] [--workers 2] [--repeat 1]
import { runSweep } from '../../sim/sweep/run-sweep.ts';
import { planSweep } from '../../sim/sweep/sweep-plan.ts';
import { scaledAdversaries } from './scaled-adversaries.ts';
import { benchArgs, integer } from './bench-args.ts';

const { sets: SETS, seeds: SEEDS, workers: WORKERS, repeat: REPEAT } = benchArgs({ sets: integer(100), seeds: integer(10), workers: integer(2), repeat: integer(1) });
const DEVICES = 1000;
const EPOCHS = 30;
const TARGET_S = 120;

// Coverage on: the occupancy count per epoch is the engine's dearest step, so the figure is not flattered.
const scenario = scaledAdversaries(1000, {
  policy: { emission: { kind: 'constant', perEpochWei: '1000000000000000000000' }, coverage: { resolution: 8, unitsPerCell: 200, densityTarget: 3 } },
});
const caps = Math.ceil(Math.sqrt(SETS));
const emissions = Math.ceil(SETS / caps);
const grid = [`cap=${Array.from({ length: caps }, (_, i) => 2000 + i * 1000).join(',')}`, `emission=${Array.from({ length: emissions }, (_, i) => 500 + i * 250).join(',')}`];
const plan = planSweep(scenario, { grid, seeds: SEEDS, devices: DEVICES, epochs: EPOCHS, calibrationEpochs: 3 });

const runs: Array<{ wallS: number; perS: number }> = [];
let calibrationKey = '';
for (let r = 0; r < REPEAT; r++) {
  const result = await runSweep(plan, { scenario, scenarioPath: '(bench)', scenarioDir: process.cwd(), workers: WORKERS, progress: (line) => process.stderr.write(`${line}\n`) });
  calibrationKey = result.calibration.key;
  runs.push({ wallS: result.timing.wallMs / 1000, perS: result.timing.deviceEpochsPerSecond });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const deviceEpochs = plan.sets.length * SEEDS * DEVICES * EPOCHS;
const perS = median(runs.map((r) => r.perS));
console.log(JSON.stringify({
  scenario: scenario.name,
  calibrationKey,
  shape: { sets: plan.sets.length, seeds: SEEDS, devices: DEVICES, epochs: EPOCHS, deviceEpochs },
  workers: WORKERS,
  repeats: REPEAT,
  medianWallS: Number(median(runs.map((r) => r.wallS)).toFixed(1)),
  medianDeviceEpochsPerS: perS,
  perWorkerPerS: Math.round(perS / WORKERS),
  projected30MS: Number((30_000_000 / perS).toFixed(1)),
  targetS: TARGET_S,
  meetsTarget: 30_000_000 / perS < TARGET_S,
}, null, 2));
