import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { resumeRun } from '../../sim/run/resume.ts';
import { PinbenchError } from '../../core/errors.ts';
import { testCacheDir } from '../support/cache.ts';
import { countOf, runAndKill } from '../support/kill-run.ts';
import { auditRunChain } from '../support/chain-audit.ts';
import { parseScenarioText } from '../../scenarios/index.ts';
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
    const audit = await auditRunChain(runDir, parseScenarioText(SCENARIO, 'resume.yaml'));
    expect(audit.jobs.length).toBeGreaterThan(0);
    expect(new Set(audit.jobs.map((j) => j.split('/')[0]))).toEqual(new Set(['0', '1']));
    expect(audit.devices).toBeGreaterThan(0);
    expect({ unsettled: audit.unsettled, settledEvents: audit.settledEvents, accrued: audit.accrued, balances: audit.balances, recorded: audit.recorded }).toEqual({ unsettled: [], settledEvents: [], accrued: [], balances: [], recorded: [] });
  }, 480_000);

  it('a pro-rata run with stakes, killed after its first close, resumes: the report has the policy, and the chain\'s stakes equal its slashes', async () => {
    const scenario = `
name: resume-policy
seed: 5
fleet:
  - { count: 4, motion: car, uploadPeriodS: 2 }
  - { count: 1, motion: car, uploadPeriodS: 2, adversary: flooding }
epochs: { lengthS: 10, count: 2 }
circuit: { batchSize: 4, readingsPerDevice: 8 }
policy:
  emission: { kind: constant, perEpochWei: "1000000000000000000000" }
  stake: { perDeviceWei: "10000000000000000000", slashBps: 1000 }
`;
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-resume-policy-'));
    const runDir = await runAndKill({ outDir, name: 'resume-policy', scenario, killWhen: ({ db }) => countOf(db, "SELECT count(*) AS n FROM meta WHERE key = 'epoch_closed:0'") > 0 });
    const result = await resumeRun(runDir, { cacheDir: testCacheDir });
    expect(result.outcome?.exitCode).toBe(0);
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as ResumeReport;
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toContain('chain stakes equal the policy');
    const policy = report.rewards.policy!;
    expect(policy.emission).toBe('constant');
    expect(policy.epochs.map((e) => [e.epoch, e.emissionWei])).toEqual([[0, '1000000000000000000000'], [1, '1000000000000000000000']]);
    expect(policy.stake).toMatchObject({ perDeviceWei: '10000000000000000000', slashBps: 1000, bondedDevices: 5 });
    // The flooder is flagged in epoch 0; in epoch 1 it depends on how many readings the kill left.
    expect(policy.stake!.flaggedDeviceEpochs).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toMatch(/\nStakes: 5 devices bonded with 10\.000000 PINR each; \d flagged device-epochs slashed \d\.\d{6} PINR \(1000 bps of the stake left each\), locked in the settlement contract\.\n/);
  }, 480_000);

  it('error: a folder without run.db says what to give instead', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pinbench-resume-empty-'));
    const error = await resumeRun(empty).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PinbenchError);
    expect((error as Error).message).toBe(`${empty} has no run.db: give the folder of a run (runs/<time>-<scenario>/)`);
  });
});
