import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../../sim/index.ts';
import { startAnvil, devPrivateKeys, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import { rewardWei, selectEpochReadings, workUnits } from '../../core/reward-rule.ts';
import { toCalldata } from '../../circuits/index.ts';
import { compileContracts, settleBatch } from '../../contracts/index.ts';
import { loadScenarioFile } from '../../scenarios/index.ts';
import { testCacheDir } from '../support/cache.ts';
import { injectBadTraffic } from './inject.ts';

const ERC20_ABI = ['function balanceOf(address) view returns (uint256)'];
const REGISTRY_ABI = ['function ownerOf(uint256) view returns (address)', 'function deviceCount() view returns (uint256)'];

describe('integration: the smoke scenario end to end on a real broker, circuit and anvil', () => {
  let anvil: AnvilNode;
  let result: RunResult;
  let provider: JsonRpcProvider;
  let injection: Promise<void> | undefined;

  beforeAll(async () => {
    // The test owns the chain, so it can read the chain's state after the run has finished.
    anvil = await startAnvil({ logger: silentLogger });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-it-'));
    result = await runScenario('scenarios/smoke.yaml', {
      rpcUrl: anvil.rpcUrl,
      outDir,
      cacheDir: testCacheDir,
      onBrokerReady: ({ url, credentials }) => {
        const [victim, other] = [...credentials.keys()];
        // Once the fleet is online, a cloned device misbehaves; the run must go on.
        injection = new Promise((resolve) => setTimeout(resolve, 6000)).then(() =>
          injectBadTraffic({
            brokerUrl: url,
            deviceId: victim!,
            password: credentials.get(victim!)!,
            otherDeviceId: other!,
            nowS: Math.floor(Date.now() / 1000),
          }),
        );
      },
    });
    await injection;
  }, 600_000);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('behavior: the run passes every check and exits 0', () => {
    expect(result.failedChecks).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.report.proofs.count).toBeGreaterThan(0);
    expect(readFileSync(join(result.runDir, 'report.md'), 'utf8')).toContain('— PASS');
    const json = JSON.parse(readFileSync(join(result.runDir, 'report.json'), 'utf8'));
    expect(json.counts.accepted).toBe(result.report.counts.accepted);
  });

  it('behavior: a wrong-key signature, a malformed payload and a foreign topic are each rejected and counted', () => {
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const reasons = db.prepare('SELECT reason, count(*) AS n FROM rejections GROUP BY reason').all() as Array<{ reason: string; n: number }>;
    db.close();
    const byReason = Object.fromEntries(reasons.map((r) => [r.reason, r.n]));
    expect(byReason).toMatchObject({ signature: 1, decode: 1, 'acl.publish': 1 });
    expect(result.report.counts.rejected).toMatchObject({ signature: 1, decode: 1, 'acl.publish': 1 });
    expect(result.report.counts.unaccounted).toBe(0);
  });

  it('behavior: each owner balance read from the chain equals the TypeScript rule applied to run.db', async () => {
    const scenario = loadScenarioFile('scenarios/smoke.yaml');
    const params = {
      unitsPerSample: BigInt(scenario.reward.unitsPerSample),
      maxStepE7: BigInt(scenario.reward.maxStepE7),
      rewardPerUnitWei: scenario.reward.rewardPerUnitWei,
    };
    const k = scenario.circuit.readingsPerDevice;
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const rows = db
      .prepare('SELECT device_index AS d, epoch AS e, timestamp_s AS timestampS, lat_e7 AS latE7, lon_e7 AS lonE7 FROM readings ORDER BY d, e, timestampS')
      .all() as Array<{ d: number; e: number; timestampS: number; latE7: number; lonE7: number }>;
    db.close();
    const groups = new Map<string, Array<{ timestampS: number; latE7: number; lonE7: number }>>();
    for (const row of rows) {
      const key = `${row.d}/${row.e}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(row);
    }
    const registry = new Contract(result.report.chain.contracts.registry, REGISTRY_ABI, provider);
    const token = new Contract(result.report.chain.contracts.token, ERC20_ABI, provider);
    expect(Number(await registry.getFunction('deviceCount')())).toBe(20);
    const expected = new Map<string, bigint>();
    for (const [key, readings] of groups) {
      const deviceIndex = Number(key.split('/')[0]);
      const owner = (await registry.getFunction('ownerOf')(deviceIndex)) as string;
      const reward = rewardWei(workUnits(selectEpochReadings(readings, k), params, k), params);
      expected.set(owner, (expected.get(owner) ?? 0n) + reward);
    }
    expect(expected.size).toBe(20);
    for (const [owner, want] of expected) {
      expect(await token.getFunction('balanceOf')(owner), owner).toBe(want);
      expect(want).toBeGreaterThan(0n);
    }
  });

  describe('settlement refuses bad submissions against the deployed contracts', () => {
    let settlement: Contract;
    let original: ReturnType<typeof toCalldata>;
    const submit = (overrides: Partial<{ epoch: bigint; a: [bigint, bigint]; slots: bigint[] }>) =>
      settleBatch(settlement, {
        epoch: overrides.epoch ?? original.pubSignals[0]!,
        batch: original.pubSignals[1]!,
        commitment: original.pubSignals[2]!,
        a: overrides.a ?? original.a,
        b: original.b,
        c: original.c,
        slots: overrides.slots ?? original.pubSignals.slice(5),
      });

    beforeAll(async () => {
      const compiled = await compileContracts({ cacheDir: testCacheDir, logger: silentLogger });
      const operator = new Wallet(devPrivateKeys(1)[0]!, provider);
      settlement = new Contract(result.report.chain.contracts.settlement, compiled.settlement.abi, operator);
      const proofDir = join(result.runDir, 'proofs');
      const proof = JSON.parse(readFileSync(join(proofDir, 'epoch-0-batch-0.proof.json'), 'utf8'));
      const publicSignals = JSON.parse(readFileSync(join(proofDir, 'epoch-0-batch-0.public.json'), 'utf8'));
      original = toCalldata(proof, publicSignals);
    });

    it('error: a repeated epoch and batch reverts', async () => {
      await expect(submit({})).rejects.toThrow(
        'settlement reverted with AlreadySettled(epoch=0, batch=0): epoch 0 batch 0 is already settled; do not submit it again',
      );
    });

    it('error: a tampered proof reverts', async () => {
      await expect(submit({ epoch: 7n, a: [original.a[0] + 1n, original.a[1]] })).rejects.toThrow(/settlement reverted with InvalidProof\(\)/);
    });

    it('error: a changed public input reverts', async () => {
      const slots = original.pubSignals.slice(5);
      slots[0] = slots[0]! + 1n;
      await expect(submit({ epoch: 7n, slots })).rejects.toThrow(/settlement reverted with InvalidProof\(\)/);
    });

    it('error: the proof of one epoch does not settle another', async () => {
      await expect(submit({ epoch: 7n })).rejects.toThrow(/settlement reverted with InvalidProof\(\)/);
    });
  });
});
