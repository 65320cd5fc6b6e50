import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { compileContracts } from '../../contracts/index.ts';
import { buildCircuit } from '../../circuits/index.ts';
import { silentLogger } from '../../core/ports.ts';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { chainStatePath } from '../../sim/paths.ts';
import { resumeRun } from '../../sim/run/resume.ts';
import { PinbenchError } from '../../core/errors.ts';
import { testCacheDir } from '../support/cache.ts';
import { countOf, runAndKill } from '../support/kill-run.ts';
import { ruleOverRunDb } from '../support/rule-over-run-db.ts';
import { parseScenarioText } from '../../scenarios/index.ts';
import type { RuleParams } from '../../core/reward-rule.ts';
import type { ResumeReport } from '../../reports/types.ts';

// Real time, so that the first epoch's proof jobs exist a while before the second epoch ends.
const SCENARIO = `
name: resume
seed: 7
fleet:
  - { profile: pebble, count: 6, motion: car, uploadPeriodS: 2 }
epochs: { lengthS: 10, count: 2 }
circuit: { batchSize: 4, readingsPerDevice: 8 }
`;

let anvil: AnvilNode | undefined;
afterAll(async () => {
  await anvil?.stop();
});

describe('integration: a killed run resumes its proof jobs from run.db', () => {
  it('the jobs left behind are proven and settled on the run’s chain, the open epoch is closed, owners claim what the rule gave, and the report is written', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-resume-'));
    // Once epoch 0's close has finished (its record is in run.db, every batch a job), epoch 1 open.
    const runDir = await runAndKill({ outDir, name: 'resume', scenario: SCENARIO, killWhen: ({ db }) => countOf(db, "SELECT count(*) AS n FROM meta WHERE key = 'epoch_closed:0'") > 0 });
    // What the kill left: epoch 1 with readings, no close record and no jobs.
    const before = new Database(join(runDir, 'run.db'), { readonly: true });
    const openBefore = (
      before.prepare("SELECT DISTINCT epoch FROM readings WHERE 'epoch_closed:' || epoch NOT IN (SELECT key FROM meta) AND epoch NOT IN (SELECT epoch FROM proof_jobs) ORDER BY epoch").all() as Array<{ epoch: number }>
    ).map((r) => r.epoch);
    before.close();
    expect(openBefore).toEqual([1]);
    expect(existsSync(join(runDir, 'report.json'))).toBe(false);

    const result = await resumeRun(runDir, { cacheDir: testCacheDir });
    expect(result.owed).toBeGreaterThan(0);
    expect(result.epochsClosed).toEqual([1]);
    expect(result.failures).toEqual([]);
    expect(result.claims?.failures).toEqual([]);
    expect(result.outcome?.exitCode).toBe(0);

    // The report, marked resumed, says what the kill cut short.
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as ResumeReport;
    expect(report.mode).toBe('resumed');
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['every epoch with readings closed', true],
      ['all batches settled', true],
      ['chain accruals equal the rule', true],
      ['owners claimed', true],
      ['chain balances equal rewards', true],
    ]);
    expect(report.resumed.epochsClosed).toEqual([1]);
    expect(report.epochs.map((e) => [e.epoch, e.closedBy, e.batches === e.settled])).toEqual([
      [0, 'run', true],
      [1, 'resume', true],
    ]);
    expect(report.resumed.cutShort.some((line) => /^Epoch 1 was open when the run stopped: the resume closed it with the \d+ readings run\.db holds from \d+ devices?;/.test(line))).toBe(true);
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(md).toMatch(/^# pinbench run: resume — PASS \(resumed\)\n/);
    expect(md).toContain('## What the stop cut short');

    // The chain itself, started again from the state the resume left in the run folder.
    const db = new Database(join(runDir, 'run.db'), { readonly: true });
    const jobs = db.prepare('SELECT epoch, batch, status FROM proof_jobs').all() as Array<{ epoch: number; batch: number; status: string }>;
    const chainMeta = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'chain'").get() as { value: string }).value);
    const owed = db.prepare('SELECT d.owner AS owner, r.reward_wei AS wei FROM rewards r JOIN devices d USING (device_index)').all() as Array<{ owner: string; wei: string }>;
    db.close();
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => j.status === 'settled')).toBe(true);

    anvil = await startAnvil({ logger: silentLogger, statePath: chainStatePath(runDir) });
    const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true });
    const artifacts = await buildCircuit({ cacheDir: testCacheDir, batchSize: 4, readingsPerDevice: 8 });
    const compiled = await compileContracts({ cacheDir: testCacheDir, verifierSolPath: artifacts.verifierSolPath, logger: silentLogger });
    const settlement = new Contract(chainMeta.addresses.settlement, compiled.settlement.abi, provider);
    const token = new Contract(chainMeta.addresses.token, compiled.token.abi, provider);
    for (const job of jobs) expect(await settlement.getFunction('isSettled')(job.epoch, job.batch)).toBe(true);
    expect(jobs.map((j) => j.epoch).filter((e, i, all) => all.indexOf(e) === i)).toEqual([0, 1]);
    const byOwner = new Map<string, bigint>();
    for (const row of owed) byOwner.set(row.owner, (byOwner.get(row.owner) ?? 0n) + BigInt(row.wei));
    expect(byOwner.size).toBeGreaterThan(0);
    for (const [owner, wei] of byOwner) expect(await token.getFunction('balanceOf')(owner)).toBe(wei);
    // The rule applied to run.db independently: what each device earned over both epochs, paid to its owner.
    const scenario = parseScenarioText(SCENARIO, 'resume.yaml');
    const params: RuleParams = { unitsPerSample: BigInt(scenario.reward.unitsPerSample), maxStepE7: BigInt(scenario.reward.maxStepE7), rewardPerUnitWei: scenario.reward.rewardPerUnitWei };
    const { unitsByDevice } = ruleOverRunDb(runDir, params, 8, 2, 4);
    const registry = new Contract(chainMeta.addresses.registry, ['function ownerOf(uint256) view returns (address)'], provider);
    const ruleByOwner = new Map<string, bigint>();
    for (const [device, units] of unitsByDevice) {
      expect(await settlement.getFunction('accruedUnits')(device)).toBe(0n);
      const owner = (await registry.getFunction('ownerOf')(device)) as string;
      ruleByOwner.set(owner, (ruleByOwner.get(owner) ?? 0n) + units * params.rewardPerUnitWei);
    }
    for (const [owner, wei] of ruleByOwner) expect(await token.getFunction('balanceOf')(owner), owner).toBe(wei);
    provider.destroy();
  }, 480_000);

  it('error: a folder without run.db says what to give instead', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pinbench-resume-empty-'));
    const error = await resumeRun(empty).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PinbenchError);
    expect((error as Error).message).toBe(`${empty} has no run.db: give the folder of a run (runs/<time>-<scenario>/)`);
  });
});
