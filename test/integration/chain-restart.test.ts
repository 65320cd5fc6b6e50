import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult, type ScenarioInput } from '../../sim/index.ts';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { chainStatePath } from '../../sim/paths.ts';
import { silentLogger } from '../../core/ports.ts';
import type { RuleParams } from '../../core/reward-rule.ts';
import { compileContracts } from '../../contracts/index.ts';
import { parseScenario } from '../../scenarios/index.ts';
import { testCacheDir } from '../support/cache.ts';
import { ruleOverRunDb } from '../support/rule-over-run-db.ts';

/**
 * The embedded anvil goes down twice while settlements are in flight: stopped cleanly just after
 * the first epoch closes, killed (SIGKILL) just after the second. Checked on the chain the run
 * left behind (started again from the run folder's state) and in run.db, not in the report.
 */
const scenario: ScenarioInput = {
  name: 'chain-restart-test',
  seed: 11,
  fleet: [{ count: 6, motion: 'car', uploadPeriodS: 5 }],
  epochs: { lengthS: 40, count: 3 },
  time: { mode: 'accelerated', startAt: '2026-01-01T00:00:00Z' },
  circuit: { batchSize: 4, readingsPerDevice: 8 },
  timeline: [
    { at: 41, event: 'chain.restart', downFor: '3s' },
    { at: 81, event: 'chain.restart', downFor: '2s', kill: true },
  ],
};

describe('integration: anvil stopped and killed mid-run, settlements in flight', () => {
  let result: RunResult;
  let anvil: AnvilNode;
  let provider: JsonRpcProvider;

  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-chain-restart-'));
    result = await runScenario(scenario, { outDir, cacheDir: testCacheDir, fleetProcess: 'inline' });
    anvil = await startAnvil({ logger: silentLogger, statePath: chainStatePath(result.runDir) });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  }, 300_000);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('behavior: the run passes every built-in check; both restarts are in the report, and the sender waited for the node', () => {
    expect(result.failedChecks).toEqual([]);
    expect(result.report.events!.map((e) => [e.event, e.atS, e.ok])).toEqual([
      ['chain.restart', 41, true],
      ['chain.restart', 81, true],
    ]);
    expect(result.report.events![0]!.detail).toMatch(/^anvil stopped; back from the state it saved on the way down, answering again after \d+\.\d s wall-clock$/);
    expect(result.report.events![1]!.detail).toMatch(/^anvil killed \(SIGKILL\); back from the state it last saved, answering again after \d+\.\d s wall-clock$/);
    expect(result.report.chain.transactions.failed).toBe(0);
    expect(readFileSync(join(result.runDir, 'report.md'), 'utf8')).toContain('| 41 s | `chain.restart` |');
  });

  it('behavior: every proof job is settled in run.db and on the chain, each batch exactly once', async () => {
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const jobs = db.prepare('SELECT epoch, batch, status FROM proof_jobs ORDER BY epoch, batch').all() as Array<{ epoch: number; batch: number; status: string }>;
    db.close();
    expect(jobs.map((j) => j.epoch).filter((e, i, all) => all.indexOf(e) === i)).toEqual([0, 1, 2]);
    expect(jobs.every((j) => j.status === 'settled')).toBe(true);
    const compiled = await compileContracts({ cacheDir: testCacheDir, logger: silentLogger });
    const settlement = new Contract(result.report.chain.contracts.settlement, compiled.settlement.abi, provider);
    for (const job of jobs) expect(await settlement.getFunction('isSettled')(job.epoch, job.batch), `${job.epoch}/${job.batch}`).toBe(true);
    const events = await settlement.queryFilter(settlement.filters.BatchSettled!(), 0, 'latest');
    const settled = events.map((log) => ('args' in log ? `${log.args[0]}/${log.args[1]}` : '?')).sort();
    expect(settled).toEqual(jobs.map((j) => `${j.epoch}/${j.batch}`).sort());
  });

  it("behavior: each owner's balance on the chain is its devices' units by the rule over run.db × rewardPerUnitWei, nothing accrued is left", async () => {
    const parsed = parseScenario(scenario, 'chain-restart');
    const params: RuleParams = { unitsPerSample: BigInt(parsed.reward.unitsPerSample), maxStepE7: BigInt(parsed.reward.maxStepE7), rewardPerUnitWei: parsed.reward.rewardPerUnitWei };
    const { unitsByDevice } = ruleOverRunDb(result.runDir, params, parsed.circuit.readingsPerDevice, parsed.epochs.count, parsed.circuit.batchSize);
    expect(unitsByDevice.size).toBe(6);
    const compiled = await compileContracts({ cacheDir: testCacheDir, logger: silentLogger });
    const { contracts } = result.report.chain;
    const settlement = new Contract(contracts.settlement, compiled.settlement.abi, provider);
    const token = new Contract(contracts.token, compiled.token.abi, provider);
    const registry = new Contract(contracts.registry, ['function ownerOf(uint256) view returns (address)'], provider);
    const byOwner = new Map<string, bigint>();
    for (const [device, units] of unitsByDevice) {
      expect(await settlement.getFunction('accruedUnits')(device), `device ${device}`).toBe(0n);
      const owner = (await registry.getFunction('ownerOf')(device)) as string;
      byOwner.set(owner, (byOwner.get(owner) ?? 0n) + units * params.rewardPerUnitWei);
    }
    for (const [owner, wei] of byOwner) expect(await token.getFunction('balanceOf')(owner), owner).toBe(wei);
  });
});
