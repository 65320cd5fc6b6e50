import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../../sim/index.ts';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import { epochRewards, GWEI, runPolicy, type DeviceEpochFacts, type EpochRewards, type PolicyRun, type RewardPolicy } from '../../core/reward-policy/index.ts';
import { fastRewardsOf } from '../support/fast-rewards.ts';
import { factsFromRunDb } from '../support/run-db-facts.ts';
import { parseScenarioText } from '../../scenarios/load.ts';
import { testCacheDir } from '../support/cache.ts';

/**
 * Issue 20: one policy, three places. A real run (broker, ingest, proofs, anvil) pays by a policy
 * with every per-device part (pro rata with halving, h3 coverage with density, cap, minimum,
 * epoch penalty, stakes slashed for flags); the test recomputes every device-epoch from run.db's raw readings and flags
 * with the exact rule and with the sweep's fast twin, and reads what the chain accrued each
 * device (at the block of the last settlement, before any claim) and what each owner holds.
 */
const SCENARIO = `name: policy-mix
seed: 11
fleet:
  - { count: 4, motion: car, uploadPeriodS: 2 }
  - { count: 3, motion: walk, uploadPeriodS: 2 }
  - { count: 2, motion: stationary, uploadPeriodS: 2 }
  - { count: 1, motion: car, uploadPeriodS: 2, adversary: flooding }
  - { count: 1, motion: car, uploadPeriodS: 9 }
epochs: { lengthS: 30, count: 2 }
time: { mode: accelerated }
circuit: { batchSize: 4, readingsPerDevice: 8 }
policy:
  emission: { kind: halving, initialWei: "1000000000000000000000", everyEpochs: 1 }
  coverage: { resolution: 10, unitsPerCell: 40, densityTarget: 1 }
  capUnits: 20000
  minSamples: 4
  flagPenalty: epoch
  stake: { perDeviceWei: "100000000000000000007", slashBps: 2500 }
`;
const K = 8;
const SETTLEMENT_ABI = [
  'function accruedUnits(uint256) view returns (uint256)',
  'event BatchSettled(uint256 indexed epoch, uint256 indexed batch, uint256 commitment)',
  'event EpochFinalized(uint256 indexed epoch, uint256 paidWei, uint256 dustWei)',
  'function stakeOf(uint256) view returns (uint256)',
  'function stakedThrough() view returns (uint256)',
  'function totalSlashedWei() view returns (uint256)',
];
const ERC20_ABI = ['function balanceOf(address) view returns (uint256)', 'function totalSupply() view returns (uint256)'];

/** The sweep's fast twin on the same facts: each device's reward in gwei. */
function fastGwei(policy: RewardPolicy, epoch: number, facts: readonly DeviceEpochFacts[]): Map<number, bigint> {
  const { sorted, reward } = fastRewardsOf(policy, epoch, facts);
  return new Map(sorted.map((f, i) => [f.deviceIndex, BigInt(Math.round(reward[i]! / 1e9))]));
}

describe('integration: a run pays by the reward policy, to the last gwei, as the exact rule and the fast model compute it', () => {
  let anvil: AnvilNode;
  let provider: JsonRpcProvider;
  let result: RunResult;
  let policy: RewardPolicy;
  let exact: EpochRewards[];
  let run: PolicyRun;
  let fast: Array<Map<number, bigint>>;

  beforeAll(async () => {
    anvil = await startAnvil({ logger: silentLogger });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-policy-'));
    writeFileSync(join(dir, 'policy-mix.yaml'), SCENARIO);
    policy = parseScenarioText(SCENARIO, 'policy-mix.yaml').policy;
    result = await runScenario(join(dir, 'policy-mix.yaml'), { rpcUrl: anvil.rpcUrl, outDir: dir, cacheDir: testCacheDir });
    const epochs = factsFromRunDb(join(result.runDir, 'run.db'), policy, K);
    exact = [...epochs.keys()].sort().map((e) => epochRewards(policy, e, epochs.get(e)!));
    run = runPolicy(policy, [...epochs.keys()].sort().map((epoch) => ({ epoch, devices: epochs.get(epoch)! })));
    fast = exact.map((e) => fastGwei(policy, e.epoch, epochs.get(e.epoch)!));
  }, 300_000);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('behavior: the run passes its checks, and the policy\'s every part shows in the rewards', () => {
    expect(result.failedChecks).toEqual([]);
    expect(exact.map((e) => e.epoch)).toEqual([0, 1]);
    const devices = exact.flatMap((e) => e.devices);
    // capped cars, uncapped walkers and stationary devices, a flagged flooder and a too-thin device at 0
    expect(devices.some((d) => d.units === 20000n)).toBe(true);
    expect(devices.some((d) => d.units > 0n && d.units < 20000n)).toBe(true);
    expect(devices.some((d) => d.flagged && d.units === 0n)).toBe(true);
    expect(devices.some((d) => !d.flagged && d.units === 0n && d.baseUnits > 0n)).toBe(true);
    expect(devices.some((d) => d.coverageUnits > 0n)).toBe(true);
    // halving every epoch: 1000 then 500 tokens
    expect(exact.map((e) => e.emissionWei)).toEqual([10n ** 21n, 5n * 10n ** 20n]);
    expect(result.report.rewards.policy).toEqual({
      emission: 'halving',
      epochs: exact.map((e) => ({ epoch: e.epoch, totalUnits: String(e.totalUnits), emissionWei: String(e.emissionWei), paidWei: String(e.paidWei), dustWei: String(e.dustWei) })),
      stake: { perDeviceWei: '100000000000000000007', slashBps: 2500, bondedDevices: 11, flaggedDeviceEpochs: devices.filter((d) => d.flagged).length, slashedWei: String(run.slashedWei) },
    });
  });

  it('behavior: what the chain accrued each device before any claim equals the exact rule and the fast model, gwei for gwei', async () => {
    const settlement = new Contract(result.report.chain.contracts.settlement, SETTLEMENT_ABI, provider);
    const settledLogs = await settlement.queryFilter(settlement.filters.BatchSettled!(), 0, 'latest');
    const lastSettle = Math.max(...settledLogs.map((l) => l.blockNumber));
    const want = new Map<number, bigint>();
    const wantFast = new Map<number, bigint>();
    for (const [i, e] of exact.entries()) {
      for (const d of e.devices) want.set(d.deviceIndex, (want.get(d.deviceIndex) ?? 0n) + d.rewardWei / GWEI);
      for (const [index, gwei] of fast[i]!) wantFast.set(index, (wantFast.get(index) ?? 0n) + gwei);
    }
    const got = new Map<number, bigint>();
    for (const index of want.keys()) got.set(index, (await settlement.getFunction('accruedUnits')(index, { blockTag: lastSettle })) as bigint);
    expect(got).toEqual(want);
    expect(wantFast).toEqual(want);
  });

  it('behavior: each epoch finalized on chain with the exact rule\'s paid and dust; owners hold what their devices earned', async () => {
    const settlement = new Contract(result.report.chain.contracts.settlement, SETTLEMENT_ABI, provider);
    const finalized = await settlement.queryFilter(settlement.filters.EpochFinalized!(), 0, 'latest');
    expect(finalized.map((l) => ('args' in l ? [Number(l.args[0]), l.args[1], l.args[2]] : []))).toEqual(exact.map((e) => [e.epoch, e.paidWei, e.dustWei]));
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const owners = db.prepare('SELECT device_index AS d, owner FROM devices').all() as Array<{ d: number; owner: string }>;
    db.close();
    const byOwner = new Map<string, bigint>();
    for (const e of exact) for (const d of e.devices) {
      const owner = owners.find((o) => o.d === d.deviceIndex)!.owner;
      byOwner.set(owner, (byOwner.get(owner) ?? 0n) + d.rewardWei);
    }
    const token = new Contract(result.report.chain.contracts.token, ERC20_ABI, provider);
    for (const [owner, wei] of byOwner) expect(await token.getFunction('balanceOf')(owner), owner).toBe(wei);
    // The genesis: each of the 11 devices' stakes, bonded in the settlement contract.
    expect(await token.getFunction('totalSupply')()).toBe(11n * 100000000000000000007n + exact.reduce((a, e) => a + e.paidWei, 0n));
    expect(await token.getFunction('balanceOf')(result.report.chain.contracts.settlement)).toBe(11n * 100000000000000000007n);
  });

  it('behavior: every device\'s stake on chain, and the total slashed, equal the exact rule\'s slashes over run.db', async () => {
    const settlement = new Contract(result.report.chain.contracts.settlement, SETTLEMENT_ABI, provider);
    expect(await settlement.getFunction('stakedThrough')()).toBe(11n);
    const flagged = [...run.devices].filter(([, d]) => d.slashedWei > 0n);
    // the flooder, flagged in both epochs: 25 % then 25 % of what is left
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.some(([, d]) => d.stakeLeftWei === 100000000000000000007n - 25000000000000000001n - 18750000000000000001n)).toBe(true);
    const got = new Map<number, bigint>();
    for (const index of run.devices.keys()) got.set(index, (await settlement.getFunction('stakeOf')(index)) as bigint);
    expect(got).toEqual(new Map([...run.devices].map(([index, d]) => [index, d.stakeLeftWei])));
    expect(await settlement.getFunction('totalSlashedWei')()).toBe(run.slashedWei);
    expect(result.report.checks.find((c) => c.name === 'chain stakes equal the policy')?.ok).toBe(true);
    // One bonding transaction per registration chunk, from receipts.
    expect(Number(result.report.gas.stake)).toBeGreaterThan(50_000);
  });
});
