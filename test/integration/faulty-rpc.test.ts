import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import type { RuleParams } from '../../core/reward-rule.ts';
import { compileContracts } from '../../contracts/index.ts';
import { parseScenario } from '../../scenarios/index.ts';
import { testCacheDir } from '../support/cache.ts';
import { faultPicker, startFaultyRpcProxy, type FaultyRpcProxy, type FaultyRpcProxyStats, type RpcFault } from '../support/faulty-rpc-proxy.ts';
import { runPinbench, type Ran } from '../support/pinbench-cli.ts';
import { ruleOverRunDb } from '../support/rule-over-run-db.ts';
import YAML from 'yaml';

/**
 * `pinbench run --rpc` through an endpoint that loses one HTTP request in ten (dropped
 * connections before and after the node saw them, 502/503, a request held past every timeout):
 * the run must finish with exit 0 and the chain, read directly, must hold exactly what run.db
 * says: each batch settled once, accruals by the rule, balances by the accruals.
 */
const PROXY_SEED = 98;
const scenarioText = `name: faulty-rpc
seed: 18
fleet:
  - { count: 8, motion: car, uploadPeriodS: 2 }
epochs: { lengthS: 12, count: 2 }
time: { mode: accelerated }
circuit: { batchSize: 4, readingsPerDevice: 8 }
`;
/** A run makes more HTTP requests than this (deploy, registration, 4 settlements, claims): the faults planned for them all happen. */
const FIRST_REQUESTS = 30;

describe('integration: a run whose --rpc endpoint drops 10 % of requests', () => {
  let anvil: AnvilNode;
  let proxy: FaultyRpcProxy;
  let provider: JsonRpcProvider;
  let ran: Ran;
  let runDir: string;
  let report: {
    chain: { contracts: { settlement: string; token: string; registry: string }; transactions: { sent: number; failed: number; reverted: number; retried: number } };
    epochs: Array<{ batches: unknown[] }>;
  };
  let stats: FaultyRpcProxyStats;

  beforeAll(async () => {
    anvil = await startAnvil({ logger: silentLogger });
    proxy = await startFaultyRpcProxy({ target: anvil.rpcUrl, seed: PROXY_SEED });
    // The test reads the chain past the proxy, so what it sees is the chain itself.
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-faulty-rpc-'));
    const file = join(outDir, 'faulty-rpc.yaml');
    writeFileSync(file, scenarioText);
    ran = await runPinbench(['run', file, '--rpc', proxy.url, '--out', outDir, '--cache', testCacheDir]);
    stats = proxy.stats();
    runDir = join(outDir, readdirSync(outDir, { withFileTypes: true }).find((e) => e.isDirectory())!.name);
    report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
  }, 240_000);

  afterAll(async () => {
    provider?.destroy();
    await proxy?.close();
    await anvil?.stop();
  });

  it('behavior: the run completes and passes every check, exit 0', () => {
    expect(ran.stderr).not.toMatch(/unexpected failure/);
    expect(ran.stdout).toMatch(/^PASS faulty-rpc: /m);
    expect(ran.code).toBe(0);
    expect(report.chain.transactions).toMatchObject({ failed: 0, reverted: 0 });
  });

  it('behavior: the proxy did drop, refuse and hold requests, batch bodies among those it forwarded', () => {
    const pick = faultPicker({ seed: PROXY_SEED });
    const planned: Record<RpcFault, number> = { dropBeforeNode: 0, dropAfterNode: 0, http502: 0, http503: 0, holdPastTimeout: 0 };
    for (let i = 0; i < FIRST_REQUESTS; i++) {
      const fault = pick();
      if (fault) planned[fault]++;
    }
    // Seed 98 plans every kind of fault within the first 30 requests.
    expect(planned).toEqual({ dropBeforeNode: 1, dropAfterNode: 2, http502: 0, http503: 1, holdPastTimeout: 1 });
    expect(stats.requests).toBeGreaterThan(FIRST_REQUESTS);
    for (const fault of Object.keys(planned) as RpcFault[]) expect(stats.faults[fault], fault).toBeGreaterThanOrEqual(planned[fault]);
    expect(stats.batches).toBeGreaterThan(0);
    expect(stats.calls).toBeGreaterThan(stats.requests);
    const faulted = Object.values(stats.faults).reduce((a, b) => a + b, 0);
    expect(stats.forwarded + faulted).toBe(stats.requests);
  });

  describe('the chain, read directly, against run.db', () => {
    let settlement: Contract;
    let token: Contract;
    let registry: Contract;
    let rule: ReturnType<typeof ruleOverRunDb>;
    let rate: bigint;
    let settled: Array<{ epoch: number; batch: number; blockNumber: number }>;
    let firstClaimBlock: number;

    beforeAll(async () => {
      const scenario = parseScenario(YAML.parse(scenarioText), 'faulty-rpc');
      const params: RuleParams = {
        unitsPerSample: BigInt(scenario.reward.unitsPerSample),
        maxStepE7: BigInt(scenario.reward.maxStepE7),
        rewardPerUnitWei: scenario.reward.rewardPerUnitWei,
      };
      rate = params.rewardPerUnitWei;
      rule = ruleOverRunDb(runDir, params, scenario.circuit.readingsPerDevice, scenario.epochs.count, scenario.circuit.batchSize);
      const compiled = await compileContracts({ cacheDir: testCacheDir, logger: silentLogger });
      const { contracts } = report.chain;
      settlement = new Contract(contracts.settlement, compiled.settlement.abi, provider);
      token = new Contract(contracts.token, compiled.token.abi, provider);
      registry = new Contract(contracts.registry, ['function ownerOf(uint256) view returns (address)', 'function deviceCount() view returns (uint256)'], provider);
      settled = (await settlement.queryFilter(settlement.filters.BatchSettled!(), 0, 'latest')).map((log) => {
        const { args } = settlement.interface.parseLog(log)!;
        return { epoch: Number(args.epoch), batch: Number(args.batch), blockNumber: log.blockNumber };
      });
      const claims = await settlement.queryFilter(settlement.filters.Claimed!(), 0, 'latest');
      expect(claims.length).toBeGreaterThan(0);
      firstClaimBlock = Math.min(...claims.map((l) => l.blockNumber));
    });

    it('behavior: every batch the rule gives units in is settled exactly once, and no settlement was mined twice or reverted', async () => {
      expect(rule.batches.size).toBe(4);
      expect(settled).toHaveLength(rule.batches.size);
      expect(new Set(settled.map((e) => `${e.epoch}/${e.batch}`))).toEqual(rule.batches);
      for (const { epoch, batch } of settled) expect(await settlement.getFunction('isSettled')(epoch, batch), `${epoch}/${batch}`).toBe(true);
      // Every transaction to the settlement contract up to the claims, as mined: one per batch, all status 1.
      const address = (await settlement.getAddress()).toLowerCase();
      const settleTxs: number[] = [];
      for (let n = 0; n < firstClaimBlock; n++) {
        const block = await provider.getBlock(n, true);
        for (const tx of block!.prefetchedTransactions) {
          if (tx.to?.toLowerCase() !== address) continue;
          const receipt = await provider.getTransactionReceipt(tx.hash);
          settleTxs.push(receipt!.status!);
        }
      }
      expect(settleTxs).toEqual(settled.map(() => 1));
    });

    it("behavior: each device's accrued units before the claims equal the rule over run.db, and each owner's balance is its devices' units × rewardPerUnitWei", async () => {
      const deviceCount = Number(await registry.getFunction('deviceCount')());
      expect(deviceCount).toBe(8);
      expect(rule.unitsByDevice.size).toBe(8);
      const wantByOwner = new Map<string, bigint>();
      for (let i = 1; i <= deviceCount; i++) {
        const units = rule.unitsByDevice.get(i) ?? 0n;
        expect(await settlement.getFunction('accruedUnits')(i, { blockTag: firstClaimBlock - 1 }), `device ${i}`).toBe(units);
        expect(await settlement.getFunction('accruedUnits')(i), `device ${i} after the claims`).toBe(0n);
        const owner = (await registry.getFunction('ownerOf')(i)) as string;
        wantByOwner.set(owner, (wantByOwner.get(owner) ?? 0n) + units * rate);
      }
      let total = 0n;
      for (const [owner, want] of wantByOwner) {
        expect(await token.getFunction('balanceOf')(owner), owner).toBe(want);
        total += want;
      }
      expect(await token.getFunction('totalSupply')()).toBe(total);
    });
  });
});
