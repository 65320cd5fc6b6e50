import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult, type ScenarioInput } from '../../sim/index.ts';
import { parseScenario } from '../../scenarios/index.ts';
import type { RunOutput, RunSample } from '../../reports/output.ts';
import { junitOutput } from '../../sim/suite/junit-output.ts';
import { testCacheDir } from '../support/cache.ts';
import { auditRunChain } from '../support/chain-audit.ts';

/**
 * A user stops a run early, as `q` in the live view does (`finishEarly`): the fleet stops, the
 * epoch that had closed is proven, settled and claimed, the report is written with the stop in
 * it, and the run exits 130. Every output heard the same stream: a recorder (a test output)
 * beside the JUnit file a CI job would read.
 */
const scenario: ScenarioInput = {
  name: 'stop-early-test',
  seed: 5,
  fleet: [{ count: 4, motion: 'car', uploadPeriodS: 5 }],
  epochs: { lengthS: 40, count: 4 },
  time: { mode: 'accelerated', startAt: '2026-01-01T00:00:00Z' },
  circuit: { batchSize: 4, readingsPerDevice: 8 },
};

describe('integration: a run the user stops early', () => {
  let result: RunResult;
  let outDir: string;
  const heard: RunSample[] = [];

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'pinbench-stop-early-'));
    const finish = new AbortController();
    // Stops the run once the first epoch has closed, as a user pressing q would then.
    const user: RunOutput = {
      name: 'test user',
      start: () => undefined,
      samples: (samples) => void heard.push(...samples),
      message: (_level, text) => {
        if (text.startsWith('epoch 0 closed:')) finish.abort();
      },
      stop: () => undefined,
    };
    result = await runScenario(scenario, { outDir, cacheDir: testCacheDir, fleetProcess: 'inline', finishEarly: finish.signal, outputs: [user, junitOutput(join(outDir, 'junit.xml'), 'stop-early.yaml')] });
  }, 300_000);

  it('behavior: exit 130; the report says the user stopped it and which epochs stayed open, and so do report.md and the timeline', () => {
    expect(result.exitCode).toBe(130);
    expect(result.ok).toBe(false);
    const open = result.report.stoppedByUser!.epochsOpen;
    expect(open).toContain(3);
    expect(open).not.toContain(0);
    expect(readFileSync(join(result.runDir, 'report.md'), 'utf8')).toMatch(/\*\*Stopped by the user\*\* at simulated 2026-01-01T00:0\d:\d\d\.000Z: the epochs that had closed are settled; epochs? [\d, ]+ stayed open \(their readings are in run\.db, unsettled\)\./);
    // The report's timeline is the stream the outputs heard, from the fleet through the settlement.
    const timeline = result.report.performance.timeline;
    expect(timeline.map((p) => p.tS)).toEqual(heard.map((s) => s.tS));
    expect(new Set(timeline.map((p) => p.phase))).toContain('claiming');
    expect(timeline.at(-1)!.settlements!.count).toBe(result.report.proofs.count);
  });

  it('behavior: on the chain, the closed epoch is settled once and paid as run.db records; the open ones have readings and no proof job', async () => {
    const audit = await auditRunChain(result.runDir, parseScenario(scenario, 'stop-early'));
    expect(audit.jobs.length).toBeGreaterThan(0);
    expect(audit.jobs.every((j) => !open().includes(Number(j.split('/')[0])))).toBe(true);
    expect({ unsettled: audit.unsettled, settledEvents: audit.settledEvents, accrued: audit.accrued, recorded: audit.recorded }).toEqual({ unsettled: [], settledEvents: [], accrued: [], recorded: [] });
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    try {
      // The epoch the fleet was in when it stopped keeps what it had accepted, unsettled.
      const running = (db.prepare('SELECT count(*) AS n FROM readings WHERE epoch = ?').get(open()[0]) as { n: number }).n;
      expect(running).toBeGreaterThan(0);
      expect(open()).toEqual([1, 2, 3]);
    } finally {
      db.close();
    }
  });

  it('behavior: --junit writes the run as a suite of one: a test case per check and threshold', () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(join(outDir, 'junit.xml'), 'utf8')) as {
      testsuites: { testsuite: { name: string; tests: string; testcase: Array<{ name: string }> | { name: string } } };
    };
    const suite = xml.testsuites.testsuite;
    expect(suite.name).toBe('stop-early-test');
    const cases = [suite.testcase].flat();
    expect(Number(suite.tests)).toBe(result.report.checks.length + (result.report.thresholds?.length ?? 0));
    expect(cases.map((c) => c.name)).toEqual(result.report.checks.map((c) => c.name));
  });

  const open = () => result.report.stoppedByUser!.epochsOpen;
});
