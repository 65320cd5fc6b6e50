import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../scenarios/index.ts';
import { resumeRun } from '../../sim/run/resume.ts';
import type { ResumeReport } from '../../reports/types.ts';
import { testCacheDir } from '../support/cache.ts';
import { auditRunChain } from '../support/chain-audit.ts';
import { countOf, runAndKill, type RunProbe } from '../support/kill-run.ts';

/**
 * A run killed with SIGKILL at each stage boundary, then `pinbench resume`: the chain left
 * behind (read directly) agrees with run.db every time — every job settled once, nothing left
 * accrued, each owner paid the rule's units over run.db. The kill mid-epoch, with an epoch
 * still open, is test/integration/resume.test.ts. Real time, so each stage lasts long enough
 * for the kill to land in it.
 */
const SCENARIO = `
name: crash
seed: 21
fleet:
  - { count: 8, motion: car, uploadPeriodS: 2 }
epochs: { lengthS: 6, count: 2 }
circuit: { batchSize: 4, readingsPerDevice: 8 }
`;
const scenario = parseScenarioText(SCENARIO, 'crash.yaml');

async function killResumeAudit(killWhen: (probe: RunProbe) => boolean) {
  const outDir = mkdtempSync(join(tmpdir(), 'pinbench-crash-'));
  const runDir = await runAndKill({ outDir, name: 'crash', scenario: SCENARIO, killWhen });
  expect(existsSync(join(runDir, 'report.json'))).toBe(false);
  const resumed = await resumeRun(runDir, { cacheDir: testCacheDir });
  const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as ResumeReport;
  const audit = await auditRunChain(runDir, scenario);
  expect({ unsettled: audit.unsettled, settledEvents: audit.settledEvents, accrued: audit.accrued, balances: audit.balances, recorded: audit.recorded }).toEqual({ unsettled: [], settledEvents: [], accrued: [], balances: [], recorded: [] });
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(resumed.outcome?.exitCode).toBe(0);
  return { resumed, report, audit };
}

describe('integration: killed at each stage boundary, resumed, audited on the chain', () => {
  it('behavior: killed in the connect storm (some devices registered, not all): the resume closes what run.db holds of epoch 0, and says the rest never ran', async () => {
    const { resumed, report, audit } = await killResumeAudit(({ db }) => {
      // In the storm: some registered, and not all yet or no reading in run.db yet (whichever lasts longer).
      const devices = countOf(db, 'SELECT count(*) AS n FROM devices');
      return devices >= 1 && (devices < 8 || countOf(db, 'SELECT count(*) AS n FROM readings') === 0);
    });
    expect(resumed.owed).toBe(0);
    // Epoch 0 had readings in run.db by the kill, or none yet: closed by the resume, or nothing to close.
    expect(audit.jobs).toEqual(resumed.epochsClosed.length === 0 ? [] : audit.jobs.filter((j) => j.startsWith('0/')));
    expect(report.resumed.cutShort[0]).toMatch(/^The run stopped (during epoch 0 of 2 \(0 to 1\): 1 later epoch never ran|before run\.db held any accepted reading)\.$/);
  }, 300_000);

  it('behavior: killed mid-settlement (some batches settled, some queued): the rest are settled once, and the open epochs closed', async () => {
    const { resumed, report, audit } = await killResumeAudit(
      ({ db }) => countOf(db, "SELECT count(*) AS n FROM proof_jobs WHERE status = 'settled'") >= 1 && countOf(db, "SELECT count(*) AS n FROM proof_jobs WHERE status = 'queued'") >= 1,
    );
    expect(resumed.owed).toBeGreaterThan(0);
    // Two batches (8 devices, 4 a proof) for every epoch with readings, whoever closed it.
    const epochs = report.epochs.map((e) => e.epoch);
    expect(audit.jobs).toEqual(epochs.flatMap((e) => [`${e}/0`, `${e}/1`]));
  }, 300_000);

  it('behavior: killed during the owners\' claims: those who had not claimed claim, the accruals check counts the claims made before', async () => {
    const { resumed, report, audit } = await killResumeAudit(({ output }) => output.includes('claims: 8 owners claim their accrued rewards'));
    // Every job was settled in run.db by then; what the resume owes is what the killed anvil had not saved yet.
    expect(resumed.owed).toBe(report.resumed.lostOnChain);
    expect(resumed.epochsClosed).toEqual([]);
    expect(audit.jobs).toHaveLength(4);
    expect(report.epochs.map((e) => e.closedBy)).toEqual(['run', 'run']);
    expect(report.checks.find((c) => c.name === 'chain accruals equal the rule')?.detail).toMatch(/^8 owners' units, claimed before the resume plus accrued/);
  }, 300_000);
});
