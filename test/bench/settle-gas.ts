// Gas per device-epoch of the settlement (docs/proofs-and-settlement.md), from receipts, with
// real proofs: builds the batch circuit of the given shape (cached), registers 2·B devices,
// settles batches 0 and 1 of epochs 0 and 1 (cold words first, then the steady state), claims,
// and prints JSON. The default shape (32 × 4) needs a 2^15 ptau, made locally once (20+ minutes
// on a fresh machine); `--batch-size 4 --readings 8` runs in minutes.
// `--pro-rata` deploys a constant emission shared pro rata (issue 20): each epoch is opened first
// and its openEpoch gas is printed too.
// `--stake` deploys with stakes (100 tokens a device, 25 % slashed a flag): the devices are
// bonded in one depositStake (printed), and in epoch 1 the first device of each batch has a
// flagged reading, so those two settlements each slash one device.
// Usage: npx tsx test/bench/settle-gas.ts [--batch-size 32] [--readings 4] [--pro-rata] [--stake] [--cache-dir DIR]
import { Wallet } from 'ethers';
import { buildBatchWitness, buildCircuit, proveBatch, shutdownProver } from '../../circuits/index.ts';
import { claimRewards, compileContracts, deployPinbench, depositStake, openEpoch, registerDevices, settleBatch, type SettleArgs, type TxResult } from '../../contracts/index.ts';
import { chainPolicyOf, defaultPolicy } from '../../core/reward-policy/index.ts';
import type { Logger } from '../../core/ports.ts';
import { DEFAULT_SHAPE, batchDeviceIndexes, type RuleParams, type WorkReading } from '../../core/reward-rule.ts';
import { defaultCacheDir } from '../../sim/paths.ts';
import { connectRpc, startAnvil } from '../../sim/chain/anvil.ts';
import { benchArgs, flag, integer, text } from './bench-args.ts';

const { batchSize: b, readings: k, cacheDir, proRata, stake } = benchArgs({
  batchSize: integer(DEFAULT_SHAPE.batchSize),
  readings: integer(DEFAULT_SHAPE.readingsPerDevice),
  cacheDir: text(defaultCacheDir()),
  proRata: flag(),
  stake: flag(),
});
const STAKE = { perDeviceWei: 100n * 10n ** 18n, slashBps: 2_500 };
const logger: Logger = { debug() {}, info: (m) => process.stderr.write(`${m}\n`), warn: (m) => process.stderr.write(`${m}\n`) };
const params: RuleParams = { unitsPerSample: 10n, maxStepE7: 50_000n, rewardPerUnitWei: 10n ** 12n };

/** Every device moves, so every lane and accrual word is non-zero. */
function readings(deviceIndex: number, epoch: number): WorkReading[] {
  const flagged = stake && epoch === 1 && (deviceIndex - 1) % b === 0;
  return Array.from({ length: k }, (_, i) => ({
    latE7: 500_000_000 + i * 37 * deviceIndex, lonE7: 100_000_000 - i * 11 * deviceIndex, timestampS: 1_700_000_000 + epoch * 3_600 + 60 * i,
    ...(flagged && i === k - 1 ? { flagged: true } : {}),
  }));
}

const buildStarted = Date.now();
const artifacts = await buildCircuit({ cacheDir, batchSize: b, readingsPerDevice: k, logger });
const buildWallMs = Date.now() - buildStarted;

const settlements: Array<{ epoch: number; batch: number; args: SettleArgs; lanes: bigint[]; proveMs: number }> = [];
/** Σ of a lane's six 40-bit units. */
const unpack = (lane: bigint): bigint => Array.from({ length: 6 }, (_, j) => (lane >> BigInt(40 * j)) & ((1n << 40n) - 1n)).reduce((a, u) => a + u, 0n);
for (const epoch of [0, 1]) {
  for (const batch of [0, 1]) {
    const devices = batchDeviceIndexes(batch, b).map((deviceIndex) => ({ deviceIndex, readings: readings(deviceIndex, epoch) }));
    const witness = buildBatchWitness({ epoch, batch, params, devices }, { batchSize: b, readingsPerDevice: k });
    const proved = await proveBatch(artifacts, witness.input);
    settlements.push({ epoch, batch, proveMs: proved.proveMs, lanes: witness.lanes, args: { proof: proved.proofWords, header: witness.header, commitment: witness.commitment, lanes: witness.lanes } });
  }
}
await shutdownProver();

const anvil = await startAnvil({ logger });
try {
  const { provider } = await connectRpc(anvil.rpcUrl);
  const wallets = anvil.accounts.map((key) => new Wallet(key, provider));
  const compiled = await compileContracts({ cacheDir, verifierSolPath: artifacts.verifierSolPath, logger });
  const { settlement, registry } = await deployPinbench({
    signer: wallets[0]!, compiled, operator: wallets[0]!.address,
    params: {
      batchSize: b, unitsPerSample: params.unitsPerSample, maxStepE7: params.maxStepE7, rewardPerUnitWei: params.rewardPerUnitWei,
      ...(proRata || stake
        ? {
            policy: chainPolicyOf({
              ...defaultPolicy(params), ...(proRata ? { emission: { kind: 'constant', perEpochWei: 1000n * 10n ** 18n } } : {}), ...(stake ? { stake: STAKE } : {}),
            }),
          }
        : {}),
      ...(stake ? { genesisStakeWei: STAKE.perDeviceWei * BigInt(2 * b) } : {}),
    },
  });
  // Device i is owned by wallet 1 for the first batch, wallet 2 for the second.
  await registerDevices(registry, Array.from({ length: 2 * b }, (_, i) => ({
    idHash: `0x${(i + 1).toString(16).padStart(64, '0')}`,
    pubKey: `0x04${'11'.repeat(64)}`,
    owner: wallets[i < b ? 1 : 2]!.address,
  })));
  const depositStakeGas = stake ? Number((await depositStake(settlement, 2 * b)).gasUsed) : undefined;
  const results: Array<{ epoch: number; batch: number; words: string; gasUsed: number; perDeviceEpoch: number; calldataBytes: number; proveMs: number }> = [];
  const labels = ['cold bitmap, cold accruals (first batch ever)', 'warm bitmap, cold accruals', 'cold bitmap (new epoch), warm accruals', 'steady state: warm bitmap, warm accruals'];
  const openEpochGas: number[] = [];
  if (proRata) {
    for (const epoch of [0, 1]) {
      const total = settlements.filter((s) => s.epoch === epoch).reduce((sum, s) => sum + s.lanes.reduce((a, lane) => a + unpack(lane), 0n), 0n);
      openEpochGas.push(Number((await openEpoch(settlement, { epoch, totalUnits: total, batches: 2 })).gasUsed));
    }
  }
  for (const [i, s] of settlements.entries()) {
    const r: TxResult = await settleBatch(settlement, s.args);
    results.push({ epoch: s.epoch, batch: s.batch, words: labels[i]!, gasUsed: Number(r.gasUsed), perDeviceEpoch: Math.round(Number(r.gasUsed) / b), calldataBytes: r.calldataBytes, proveMs: Math.round(s.proveMs) });
  }
  const claimOne = await claimRewards(settlement.connect(wallets[1]!) as typeof settlement, [1]);
  const claimBatch = await claimRewards(settlement.connect(wallets[2]!) as typeof settlement, batchDeviceIndexes(1, b));
  process.stdout.write(`${JSON.stringify({
    shape: { batchSize: b, readingsPerDevice: k, lanes: artifacts.lanes },
    constraints: artifacts.constraints,
    ptauPower: artifacts.ptauPower,
    circuitBuildMs: artifacts.buildMs,
    buildWallMs,
    proRata,
    ...(proRata ? { openEpochGas } : {}),
    stake,
    ...(stake ? { depositStakeGas, slashedPerBatchInEpoch1: 1 } : {}),
    settle: results,
    calldataBytesPerDeviceEpoch: results[0]!.calldataBytes / b,
    claim: { oneDeviceGas: Number(claimOne.gasUsed), [`${b}DevicesGas`]: Number(claimBatch.gasUsed) },
  }, null, 2)}\n`);
} finally {
  await anvil.stop();
}
