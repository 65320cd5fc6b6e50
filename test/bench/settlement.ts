// Settlement benchmark (issue 5), JSON on stdout: a whole run through the real pipeline (fleet,
// broker, ingest, epoch close, prover pool, settlement on anvil, claims) with the default proof
// shape, reporting epoch close → settlement mined p50/p95 and the gas and calldata per
// device-epoch that the run's receipts show.
// Usage: npx tsx test/bench/settlement.ts [--devices 256] [--epochs 2] [--batch-size 32] [--readings 4]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SHAPE } from '../../core/reward-rule.ts';
import { runScenario } from '../../sim/index.ts';
import { benchArgs, integer } from './bench-args.ts';

const { devices, epochs, batchSize, readings: readingsPerDevice } = benchArgs({
  devices: integer(256),
  epochs: integer(2),
  batchSize: integer(DEFAULT_SHAPE.batchSize),
  readings: integer(DEFAULT_SHAPE.readingsPerDevice),
});

const logger = { debug() {}, info: (m: string) => process.stderr.write(`${m}\n`), warn: (m: string) => process.stderr.write(`${m}\n`), error: (m: string) => process.stderr.write(`${m}\n`) };
const result = await runScenario(
  {
    name: 'bench-settlement',
    seed: 5,
    fleet: [{ profile: 'pebble', count: devices, motion: 'car', uploadPeriodS: 60 }],
    epochs: { lengthS: 600, count: epochs },
    time: { mode: 'accelerated' },
    circuit: { batchSize, readingsPerDevice },
  },
  { outDir: mkdtempSync(join(tmpdir(), 'pinbench-bench-settlement-')), logger },
);
const r = result.report;
process.stdout.write(
  `${JSON.stringify(
    {
      ok: result.ok,
      failedChecks: result.failedChecks,
      shape: { batchSize, readingsPerDevice },
      devices,
      epochs,
      proofs: r.proofs.count,
      proveMsP50: Math.round(r.proofs.proveMsP50),
      closeToMinedMs: { p50: Math.round(r.proofs.closeToMinedMsP50), p95: Math.round(r.proofs.closeToMinedMsP95) },
      gas: {
        settleTotal: r.gas.settleTotal,
        perDeviceEpoch: r.gas.perDeviceEpoch,
        settlePerBatchMax: r.gas.settlePerBatchMax,
        calldataBytesPerDeviceEpoch: r.gas.calldataBytesPerDeviceEpoch,
        claims: r.gas.claims,
        claimTotal: r.gas.claimTotal,
      },
      transactions: r.chain.transactions,
      runDir: result.runDir,
    },
    null,
    2,
  )}\n`,
);
process.exit(result.ok ? 0 : 1);
