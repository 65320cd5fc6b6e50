import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../../sim/index.ts';
import { startAnvil, devPrivateKeys, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import { decodeHeader, encodeHeader, type RuleParams } from '../../core/reward-rule.ts';
import { proofWords, type Groth16Proof } from '../../circuits/index.ts';
import { compileContracts, decodeContractError, settleBatch, type SettleArgs } from '../../contracts/index.ts';
import { loadScenarioFile } from '../../scenarios/index.ts';
import { testCacheDir } from '../support/cache.ts';
import { ruleOverRunDb } from '../support/rule-over-run-db.ts';
import { injectBadTraffic } from './inject.ts';

const REGISTRY_ABI = ['function ownerOf(uint256) view returns (address)', 'function deviceCount() view returns (uint256)'];
const INVALID_PROOF = /^settlement reverted with InvalidProof\(\): the verifier rejected the proof/;

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

  describe('chain state read from the chain itself against the rule over run.db', () => {
    let settlement: Contract;
    let registry: Contract;
    let token: Contract;
    let rule: ReturnType<typeof ruleOverRunDb>;
    let rate: bigint;
    let deviceCount: number;
    let ownerOf: Map<number, string>;
    let firstClaimBlock: number;
    let settledEvents: Array<{ epoch: number; batch: number; blockNumber: number }>;

    beforeAll(async () => {
      const scenario = loadScenarioFile('scenarios/smoke.yaml');
      expect(scenario.circuit).toEqual({ batchSize: 4, readingsPerDevice: 8 });
      const params: RuleParams = {
        unitsPerSample: BigInt(scenario.reward.unitsPerSample),
        maxStepE7: BigInt(scenario.reward.maxStepE7),
        rewardPerUnitWei: scenario.reward.rewardPerUnitWei,
      };
      rate = params.rewardPerUnitWei;
      rule = ruleOverRunDb(result.runDir, params, scenario.circuit.readingsPerDevice, scenario.epochs.count, scenario.circuit.batchSize);
      const compiled = await compileContracts({ cacheDir: testCacheDir, logger: silentLogger });
      const { contracts } = result.report.chain;
      settlement = new Contract(contracts.settlement, compiled.settlement.abi, provider);
      token = new Contract(contracts.token, compiled.token.abi, provider);
      registry = new Contract(contracts.registry, REGISTRY_ABI, provider);
      deviceCount = Number(await registry.getFunction('deviceCount')());
      ownerOf = new Map();
      for (let i = 1; i <= deviceCount; i++) ownerOf.set(i, (await registry.getFunction('ownerOf')(i)) as string);
      const settled = await settlement.queryFilter(settlement.filters.BatchSettled!(), 0, 'latest');
      settledEvents = settled.map((log) => {
        const { args } = settlement.interface.parseLog(log)!;
        return { epoch: Number(args.epoch), batch: Number(args.batch), blockNumber: log.blockNumber };
      });
      const claims = await settlement.queryFilter(settlement.filters.Claimed!(), 0, 'latest');
      expect(claims.length).toBeGreaterThan(0);
      firstClaimBlock = Math.min(...claims.map((l) => l.blockNumber));
    });

    it('behavior: the settled batches are exactly those the rule gives units in, all before the first claim', async () => {
      expect(deviceCount).toBe(20);
      expect(new Set(settledEvents.map((e) => `${e.epoch}/${e.batch}`))).toEqual(rule.batches);
      expect(settledEvents).toHaveLength(rule.batches.size);
      expect(Math.max(...settledEvents.map((e) => e.blockNumber))).toBeLessThan(firstClaimBlock);
      for (const { epoch, batch } of settledEvents) expect(await settlement.getFunction('isSettled')(epoch, batch)).toBe(true);
    });

    it("behavior: each device's accrued units on chain before the claims equal the rule's units", async () => {
      expect([...rule.unitsByDevice.values()].every((u) => u > 0n)).toBe(true);
      expect(rule.unitsByDevice.size).toBe(20);
      const blockTag = firstClaimBlock - 1;
      for (let i = 1; i <= deviceCount; i++) {
        const accrued = (await settlement.getFunction('accruedUnits')(i, { blockTag })) as bigint;
        expect(accrued, `device ${i}`).toBe(rule.unitsByDevice.get(i) ?? 0n);
      }
    });

    it("behavior: after the owners' claims nothing is left accrued and each owner's token balance is the rule's units × rewardPerUnitWei", async () => {
      const wantByOwner = new Map<string, bigint>();
      for (const [device, units] of rule.unitsByDevice) {
        const owner = ownerOf.get(device)!;
        wantByOwner.set(owner, (wantByOwner.get(owner) ?? 0n) + units * rate);
      }
      expect(wantByOwner.size).toBe(20);
      for (let i = 1; i <= deviceCount; i++) expect(await settlement.getFunction('accruedUnits')(i), `device ${i}`).toBe(0n);
      let total = 0n;
      for (const [owner, want] of wantByOwner) {
        expect(await token.getFunction('balanceOf')(owner), owner).toBe(want);
        total += want;
      }
      expect(await token.getFunction('totalSupply')()).toBe(total);
      // Each owner claimed once, for what the rule gave its devices.
      const claims = await settlement.queryFilter(settlement.filters.Claimed!(), 0, 'latest');
      const claimed = new Map<string, bigint>();
      for (const log of claims) {
        const { args } = settlement.interface.parseLog(log)!;
        expect(args.amountWei).toBe((args.units as bigint) * rate);
        claimed.set(args.owner as string, (claimed.get(args.owner as string) ?? 0n) + (args.amountWei as bigint));
      }
      expect(claimed).toEqual(wantByOwner);
      expect(result.report.gas.claims).toBe(claims.length);
    });

    it('behavior: the report states the calldata of each settlement as mined', async () => {
      const batches = result.report.epochs.flatMap((e) => e.batches);
      expect(batches).toHaveLength(settledEvents.length);
      for (const b of batches) {
        const tx = await provider.getTransaction(b.txHash);
        expect(b.calldataBytes).toBe((tx!.data.length - 2) / 2);
      }
      expect(result.report.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['chain accruals equal the rule', 'owners claimed']));
    });
  });

  describe('settlement refuses bad submissions against the deployed contracts', () => {
    let settlement: Contract;
    type Submission = { proof: bigint[]; header: bigint; commitment: bigint; lanes: bigint[] };
    let original: Submission;
    let otherEpoch: Submission;
    /** The block before batch 0 of epoch 0 was settled: there the original submission is still valid. */
    let before: number;
    const load = (name: string): Submission => {
      const proofDir = join(result.runDir, 'proofs');
      const proof = JSON.parse(readFileSync(join(proofDir, `${name}.proof.json`), 'utf8')) as Groth16Proof;
      const publicSignals = (JSON.parse(readFileSync(join(proofDir, `${name}.public.json`), 'utf8')) as string[]).map(BigInt);
      return { proof: proofWords(proof), header: publicSignals[0]!, commitment: publicSignals[1]!, lanes: publicSignals.slice(2) };
    };
    const withEpoch = (epoch: number): bigint => {
      const h = decodeHeader(original.header);
      return encodeHeader(epoch, h.batch, h);
    };
    /** settle as an eth_call at block `before`, decoded as settleBatch would. */
    const settleBefore = async (args: SettleArgs): Promise<string> => {
      try {
        await settlement.getFunction('settle').staticCall(args.proof, args.header, args.commitment, args.lanes, { blockTag: before });
        return 'ok';
      } catch (error) {
        return decodeContractError(error, { settlement }).message;
      }
    };

    beforeAll(async () => {
      const compiled = await compileContracts({ cacheDir: testCacheDir, logger: silentLogger });
      const operator = new Wallet(devPrivateKeys(1)[0]!, provider);
      settlement = new Contract(result.report.chain.contracts.settlement, compiled.settlement.abi, operator);
      original = load('epoch-0-batch-0');
      otherEpoch = load('epoch-1-batch-0');
      expect(decodeHeader(original.header)).toMatchObject({ epoch: 0, batch: 0 });
      const [event] = await settlement.queryFilter(settlement.filters.BatchSettled!(0n, 0n), 0, 'latest');
      before = event!.blockNumber - 1;
    });

    it('behavior: the proof files of the run would settle their batch on the chain as it was before', async () => {
      expect(await settleBefore(original)).toBe('ok');
    });

    it('error: a repeated epoch and batch reverts', async () => {
      await expect(settleBatch(settlement, original)).rejects.toThrow(
        'settlement reverted with AlreadySettled(epoch=0, batch=0): epoch 0 batch 0 is already settled; do not submit it again',
      );
    });

    it('error: a tampered proof reverts', async () => {
      const proof = [...original.proof];
      proof[0] = proof[0]! + 1n;
      expect(await settleBefore({ ...original, proof })).toMatch(INVALID_PROOF);
      await expect(settleBatch(settlement, { ...original, proof, header: withEpoch(7) })).rejects.toThrow(INVALID_PROOF);
    });

    it('error: a changed public input reverts', async () => {
      expect(await settleBefore({ ...original, lanes: [original.lanes[0]! + 1n, ...original.lanes.slice(1)] })).toMatch(INVALID_PROOF);
      expect(await settleBefore({ ...original, commitment: original.commitment + 1n })).toMatch(INVALID_PROOF);
    });

    it('error: the proof of one epoch does not settle another', async () => {
      expect(await settleBefore({ ...otherEpoch, proof: original.proof })).toMatch(INVALID_PROOF);
      await expect(settleBatch(settlement, { ...original, header: withEpoch(7) })).rejects.toThrow(INVALID_PROOF);
    });
  });
});
