import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult, type ScenarioInput } from '../../sim/index.ts';
import { parseScenario } from '../../scenarios/index.ts';
import { testCacheDir } from '../support/cache.ts';
import { auditRunChain } from '../support/chain-audit.ts';

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

  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-chain-restart-'));
    result = await runScenario(scenario, { outDir, cacheDir: testCacheDir, fleetProcess: 'inline' });
  }, 300_000);

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

  it('behavior: on the chain: every proof job settled, each batch exactly once, nothing left accrued, each owner paid the rule over run.db × rewardPerUnitWei', async () => {
    const audit = await auditRunChain(result.runDir, parseScenario(scenario, 'chain-restart'));
    expect(new Set(audit.jobs.map((j) => j.split('/')[0]))).toEqual(new Set(['0', '1', '2']));
    expect(audit.devices).toBe(6);
    expect({ unsettled: audit.unsettled, settledEvents: audit.settledEvents, accrued: audit.accrued, balances: audit.balances, recorded: audit.recorded }).toEqual({ unsettled: [], settledEvents: [], accrued: [], balances: [], recorded: [] });
  });
});
