// Prover benchmark (issue 5), JSON on stdout: the prover pool's time per proof against a bare
// snarkjs `groth16.fullProve` of the same inputs in a process of its own, alternating in one run
// (overhead ratio, target ≤ 1.1); device-epochs proven per second per core with the pool at its
// default size; and whether a fleet of N devices with epochs of L seconds is kept up with.
// `--baseline-commit <rev>` also builds that commit's batch circuit (test/bench/prover-baseline.ts)
// and proves the same inputs with it, one proof at a time alternating with today's circuit: both
// medians, the ratio today / baseline and both commits go under `baseline`.
// Usage: npx tsx test/bench/prover.ts [--batch-size 32] [--readings 4] [--rounds 5]
//        [--fleet 10000] [--epoch-s 3600] [--settle-ms 60] [--cache-dir DIR] [--baseline-commit <rev>]
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBatchWitness, buildCircuit, ProverPool, defaultProverThreads, type BatchCircuitInput, type CircuitArtifacts } from '../../circuits/index.ts';
import { DEFAULT_SHAPE, batchDeviceIndexes, type RuleParams, type WorkReading } from '../../core/reward-rule.ts';
import type { Logger } from '../../core/ports.ts';
import { benchArgs, integer, number, positive, text } from './bench-args.ts';
import { baselineSources, currentCommit, inputForBaseline, type BaselineSources } from './prover-baseline.ts';

const { batchSize: b, readings: k, rounds, fleet, epochS, settleMs, cacheDir, baselineCommit } = benchArgs({
  batchSize: integer(DEFAULT_SHAPE.batchSize),
  readings: integer(DEFAULT_SHAPE.readingsPerDevice),
  rounds: integer(5),
  fleet: integer(10000),
  epochS: positive(3600),
  /** Time to get one settlement mined, sent back to back (anvil: tens of ms; a public chain: its block time over the txs per block). */
  settleMs: number(60),
  cacheDir: text(process.env.PINBENCH_CACHE ?? path.join(os.homedir(), '.cache', 'pinbench')),
  baselineCommit: text(undefined),
});
const logger: Logger = { debug() {}, info: (m) => process.stderr.write(`${m}\n`), warn: (m) => process.stderr.write(`${m}\n`) };
const params: RuleParams = { unitsPerSample: 10n, maxStepE7: 50_000n, rewardPerUnitWei: 10n ** 12n };

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function readings(deviceIndex: number, epoch: number): WorkReading[] {
  return Array.from({ length: k }, (_, i) => ({ latE7: 500_000_000 + i * 37 * deviceIndex, lonE7: 100_000_000 - i * 11 * deviceIndex, timestampS: 1_700_000_000 + epoch * 3_600 + 60 * i }));
}
function input(epoch: number): BatchCircuitInput {
  const devices = batchDeviceIndexes(0, b).map((deviceIndex) => ({ deviceIndex, readings: readings(deviceIndex, epoch) }));
  return buildBatchWitness({ epoch, batch: 0, params, devices }, { batchSize: b, readingsPerDevice: k }).input;
}

/** The baseline: snarkjs' own fullProve in a warm process of its own, timed inside. */
const BARE = fileURLToPath(new URL('./bare-fullprove.js', import.meta.url));
const bare = fork(BARE, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
function bareFullProve(job: { input: BatchCircuitInput; wasmPath: string; zkeyPath: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    bare.once('message', (reply: { ms?: number; error?: string }) => {
      if (reply.ms === undefined) reject(new Error(reply.error ?? 'bare fullProve failed'));
      else resolve(reply.ms);
    });
    bare.send(job);
  });
}

/** The baseline commit's sources, read before anything is built, so a bad rev fails at once. */
function readBaseline(rev: string): BaselineSources {
  try {
    const sources = baselineSources(rev);
    process.once('exit', sources.remove);
    return sources;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
/** Its circuit of the same shape, in the same cache (its key differs: other sources). */
async function buildBaseline(sources: BaselineSources): Promise<{ commit: string; artifacts: CircuitArtifacts; inputs: Set<string> }> {
  try {
    return { commit: sources.commit, artifacts: await buildCircuit({ cacheDir, batchSize: b, readingsPerDevice: k, logger, sourceDir: sources.dir }), inputs: sources.inputs };
  } finally {
    sources.remove();
  }
}

const baselineSource = baselineCommit === undefined ? undefined : readBaseline(baselineCommit);
const artifacts = await buildCircuit({ cacheDir, batchSize: b, readingsPerDevice: k, logger });
// Built before anything is timed, so no build runs beside a timed proof.
const baseline = baselineSource === undefined ? undefined : await buildBaseline(baselineSource);
const inputs = Array.from({ length: rounds }, (_, epoch) => input(epoch));

// 1. One proof at a time, pool and bare alternating, so both see the same machine load.
const single = new ProverPool({ artifacts, size: 1, logger });
// Both warm, as a prover is in a run.
await single.prove(inputs[0]!);
await bareFullProve({ input: inputs[0]!, wasmPath: artifacts.wasmPath, zkeyPath: artifacts.zkeyPath });
const poolMs: number[] = [];
const bareMs: number[] = [];
for (const job of inputs) {
  const t0 = performance.now();
  await single.prove(job);
  poolMs.push(performance.now() - t0);
  bareMs.push(await bareFullProve({ input: job, wasmPath: artifacts.wasmPath, zkeyPath: artifacts.zkeyPath }));
}
await single.close();
bare.kill();

// 1b. Today's circuit against the baseline's, one proof at a time through a prover each, from the
// same inputs; the order flips every round, so neither always goes first. Both must prove the same
// public signals, or they would not be proving the same statement.
async function compareWithBaseline(old: NonNullable<typeof baseline>) {
  const current = new ProverPool({ artifacts, size: 1, logger });
  const previous = new ProverPool({ artifacts: old.artifacts, size: 1, logger });
  const oldInputs = inputs.map((job) => inputForBaseline(job, old.inputs) as unknown as BatchCircuitInput);
  const timed = async (pool: ProverPool, job: BatchCircuitInput) => {
    const t0 = performance.now();
    const proof = await pool.prove(job);
    return { ms: performance.now() - t0, signals: proof.publicSignals.join(',') };
  };
  const pair = async (r: number) => {
    let now: Awaited<ReturnType<typeof timed>>;
    let then: Awaited<ReturnType<typeof timed>>;
    if (r % 2 === 0) {
      now = await timed(current, inputs[r]!);
      then = await timed(previous, oldInputs[r]!);
    } else {
      then = await timed(previous, oldInputs[r]!);
      now = await timed(current, inputs[r]!);
    }
    if (now.signals !== then.signals) throw new Error(`round ${r}: the baseline's public signals differ from today's (${then.signals} vs ${now.signals}); the two circuits do not prove the same statement from this input`);
    return { now: now.ms, then: then.ms };
  };
  await pair(0);
  const currentMs: number[] = [];
  const baselineMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const { now, then } = await pair(r);
    currentMs.push(now);
    baselineMs.push(then);
  }
  await Promise.all([current.close(), previous.close()]);
  const ratios = currentMs.map((ms, i) => ms / baselineMs[i]!);
  const here = currentCommit();
  return {
    commits: { current: here.commit, currentCircomUncommitted: here.circomUncommitted, baseline: old.commit },
    constraints: { current: artifacts.constraints, baseline: old.artifacts.constraints },
    perProofMs: {
      current: { median: Math.round(median(currentMs)), runs: currentMs.map(Math.round) },
      baseline: { median: Math.round(median(baselineMs)), runs: baselineMs.map(Math.round) },
    },
    ratio: Number((median(currentMs) / median(baselineMs)).toFixed(3)),
    pairedRatio: { median: Number(median(ratios).toFixed(3)), runs: ratios.map((x) => Number(x.toFixed(3))) },
    samePublicSignals: true,
  };
}
const compared = baseline === undefined ? undefined : await compareWithBaseline(baseline);

// 2. Throughput with the pool at its default size and a queue deeper than the pool.
const pool = new ProverPool({ artifacts, logger });
const queued = Array.from({ length: Math.max(4, 2 * pool.size) }, (_, i) => inputs[i % inputs.length]!);
const t0 = performance.now();
await Promise.all(queued.map((job) => pool.prove(job)));
const throughputWallMs = performance.now() - t0;
await pool.close();

const cores = availableParallelism();
const deviceEpochsPerS = (queued.length * b) / (throughputWallMs / 1000);
const batchesPerEpoch = Math.ceil(fleet / b);
// Settlements go out one after another while later batches are proven, so an epoch takes the
// longer of the two plus the last settlement.
const epochWorkS = Math.max((batchesPerEpoch * b) / deviceEpochsPerS, (batchesPerEpoch * settleMs) / 1000) + settleMs / 1000;
// Smallest epoch the measured rate keeps up with, at this batch size.
const minEpochS = Math.ceil(epochWorkS);
process.stdout.write(
  `${JSON.stringify(
    {
      shape: { batchSize: b, readingsPerDevice: k, constraints: artifacts.constraints },
      rounds,
      perProofMs: {
        pool: { median: Math.round(median(poolMs)), runs: poolMs.map(Math.round) },
        bareFullProve: { median: Math.round(median(bareMs)), runs: bareMs.map(Math.round) },
        overheadRatio: Number((median(poolMs) / median(bareMs)).toFixed(3)),
      },
      throughput: {
        provers: defaultProverThreads(),
        cores,
        proofs: queued.length,
        wallMs: Math.round(throughputWallMs),
        deviceEpochsPerS: Number(deviceEpochsPerS.toFixed(2)),
        deviceEpochsPerSPerCore: Number((deviceEpochsPerS / cores).toFixed(2)),
      },
      keepUp: {
        fleet,
        epochS,
        batchesPerEpoch,
        proveAndSettleS: Math.round(epochWorkS),
        keptUp: epochWorkS < epochS,
        shortestEpochKeptUpS: minEpochS,
      },
      ...(compared === undefined ? {} : { baseline: compared }),
    },
    null,
    2,
  )}\n`,
);
process.exit(0);
