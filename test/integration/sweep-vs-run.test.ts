import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../../sim/index.ts';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import { runPolicy, type RewardPolicy } from '../../core/reward-policy/index.ts';
import { parseScenarioText } from '../../scenarios/load.ts';
import { withParamSet } from '../../sim/run/run-policy.ts';
import { planSweep } from '../../sim/sweep/sweep-plan.ts';
import { runSweep } from '../../sim/sweep/run-sweep.ts';
import type { SweepResult } from '../../reports/sweep/sweep-result.ts';
import { factsFromRunDb } from '../support/run-db-facts.ts';
import { testCacheDir } from '../support/cache.ts';

/**
 * Issue 20: a researcher confirms a sweep's set on chain. The same scenario is swept in fast mode
 * for one set and run through the whole pipeline with `--params` that set; the sweep's figures
 * must match the full run's within the calibration's error against that run (quoted by the
 * sweep's --check-run) plus the sweep's own sampling error (3 standard errors of its seeds'
 * mean), and the chain must pay exactly what the policy gives over run.db.
 */
const SCENARIO = `name: sweep-confirm
seed: 21
fleet:
  - { count: 5, motion: car, uploadPeriodS: 2 }
  - { count: 5, motion: walk, uploadPeriodS: 2 }
  - { count: 2, motion: car, uploadPeriodS: 2, adversary: flooding }
epochs: { lengthS: 30, count: 2 }
time: { mode: accelerated }
circuit: { batchSize: 4, readingsPerDevice: 8 }
policy:
  emission: { kind: constant, perEpochWei: "1000000000000000000000" }
  flagPenalty: epoch
`;
const SET = 'cap=20000,emission=600';
const SEEDS = 200;
const TOKENS = 1e18;
const ERC20_ABI = ['function balanceOf(address) view returns (uint256)'];

describe('integration: a sweep set confirmed on chain with run --params', () => {
  let anvil: AnvilNode;
  let provider: JsonRpcProvider;
  let dir: string;
  let run: RunResult;
  let sweep: SweepResult;
  let policy: RewardPolicy;

  beforeAll(async () => {
    anvil = await startAnvil({ logger: silentLogger });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    dir = mkdtempSync(join(tmpdir(), 'pinbench-sweep-run-'));
    const file = join(dir, 'sweep-confirm.yaml');
    writeFileSync(file, SCENARIO);
    run = await runScenario(file, { params: SET, rpcUrl: anvil.rpcUrl, outDir: dir, cacheDir: testCacheDir });
    const scenario = parseScenarioText(SCENARIO, file);
    policy = withParamSet(scenario, SET).policy;
    const plan = planSweep(scenario, { grid: SET.split(','), seeds: SEEDS, workers: 1, checkRun: run.runDir });
    sweep = await runSweep(plan, { scenario, scenarioPath: file, scenarioDir: dir, cacheDir: testCacheDir });
  }, 300_000);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('behavior: the full run with --params passes, and the chain paid each owner exactly the policy over run.db', async () => {
    expect(run.failedChecks).toEqual([]);
    expect(run.report.rewards.policy?.params).toBe(SET);
    const facts = factsFromRunDb(join(run.runDir, 'run.db'), policy, 8);
    const exact = runPolicy(policy, [...facts.keys()].sort().map((epoch) => ({ epoch, devices: facts.get(epoch)! })));
    expect(exact.emittedWei).toBe(2n * 600n * 10n ** 18n);
    const db = new Database(join(run.runDir, 'run.db'), { readonly: true });
    const owners = new Map((db.prepare('SELECT device_index AS d, owner FROM devices').all() as Array<{ d: number; owner: string }>).map((r) => [r.d, r.owner]));
    db.close();
    const byOwner = new Map<string, bigint>();
    for (const [d, { rewardWei }] of exact.devices) byOwner.set(owners.get(d)!, (byOwner.get(owners.get(d)!) ?? 0n) + rewardWei);
    const token = new Contract(run.report.chain.contracts.token, ERC20_ABI, provider);
    for (const [owner, wei] of byOwner) expect(await token.getFunction('balanceOf')(owner), owner).toBe(wei);
  });

  it("behavior: the sweep's figures for the set match the full run within the calibration error and the sweep's sampling error", () => {
    expect(sweep.sets.map((s) => s.label)).toEqual([SET]);
    const error = sweep.calibration.worstRelativeError!;
    expect(error).toBeGreaterThanOrEqual(0);
    expect(sweep.calibration.note).toContain(`against the full run ${run.runDir}`);
    // The full run's figures, from run.db's rewards (which the chain was just shown to pay).
    const db = new Database(join(run.runDir, 'run.db'), { readonly: true });
    const rows = db.prepare(`SELECT d.motion AS motion, p.adversary AS adversary, COALESCE(sum(CAST(r.reward_wei AS REAL)), 0) AS wei
      FROM devices d JOIN device_profiles p USING (device_index) LEFT JOIN rewards r USING (device_index) GROUP BY d.device_index`).all() as Array<{ motion: string; adversary: string | null; wei: number }>;
    db.close();
    const full = new Map<string, number>([['emission', rows.reduce((a, r) => a + r.wei, 0) / TOKENS]]);
    const honest = rows.filter((r) => r.adversary === null);
    full.set('honestShare', honest.reduce((a, r) => a + r.wei, 0) / TOKENS / full.get('emission')!);
    for (const motion of new Set(honest.map((r) => r.motion))) {
      const group = honest.filter((r) => r.motion === motion);
      full.set(`honestReward.${motion}`, group.reduce((a, r) => a + r.wei, 0) / TOKENS / group.length);
    }
    const metrics = sweep.sets[0]!.metrics;
    for (const [name, value] of full) {
      const m = metrics[name]!;
      // + the rounding dust: each device-epoch's share is rounded down to the gwei on both sides.
      const tolerance = error * Math.abs(value) + (3 * m.sd) / Math.sqrt(SEEDS) + (rows.length * 2) / 1e9;
      expect(Math.abs(m.mean - value), `${name}: sweep ${m.mean} ± ${m.sd}, full run ${value}, tolerance ${tolerance}`).toBeLessThanOrEqual(tolerance);
    }
  });
});
