import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import { runSuite, type SuiteChain } from '../../sim/suite/run-suite.ts';
import { suiteVerdict, type ScenarioOutcome } from '../../sim/suite/suite-outcome.ts';
import type { RunOptions, RunResult } from '../../sim/run/run-scenario.ts';
import type { RunReport } from '../../reports/types.ts';
import type { ThresholdResult } from '../../reports/verdicts.ts';

/** What a fake run of a file does: pass, fail a check, fail a threshold, or throw. */
type Script = 'pass' | 'check' | 'threshold' | 'throw' | 'interrupt';

const failedThreshold: ThresholdResult = {
  expression: 'rejected.signature <= 5', metric: 'rejected.signature', measured: 9, measuredText: '9', expected: '<= 5', ok: false, abortOnFail: false, aborted: false,
};

/** A fake runScenario (unit test only): answers by the script named in the file's name, and records the options it got. */
function fakeRun(calls: Array<{ file: string; options: RunOptions }>, onCall?: (file: string) => void) {
  return async (file: string, options: RunOptions): Promise<RunResult> => {
    calls.push({ file, options });
    onCall?.(file);
    const script = /-(pass|check|threshold|throw|interrupt)\.yaml$/.exec(file)![1] as Script;
    if (script === 'throw') throw new PinbenchError('TX_SEND_FAILED', 'settlement failed\nwith details', { details: { runDir: '/runs/partial' } });
    if (script === 'interrupt') throw new PinbenchError('RUN_INTERRUPTED', 'run interrupted; every reading accepted so far is kept in x/run.db');
    const checks = [{ name: 'readings accepted', ok: script !== 'check', detail: '5 readings accepted' }];
    const name = file.split('/').pop()!.replace('.yaml', '');
    const report = { scenario: { name }, checks, chain: { rpcUrl: options.rpcUrl }, ...(script === 'threshold' ? { thresholds: [failedThreshold] } : {}) } as unknown as RunReport;
    return { ok: script === 'pass', exitCode: script === 'pass' ? 0 : 1, runDir: `/runs/${name}`, report, failedChecks: [] };
  };
}

/** A fake chain (unit test only): records that it was started once and stopped. */
function fakeChain(log: string[]) {
  return async (statePath: string): Promise<SuiteChain> => {
    log.push(`start ${statePath.endsWith('-suite-chain-state.json')}`);
    return { rpcUrl: 'http://127.0.0.1:1', operatorKey: '0xkey', stop: async () => void log.push('stop') };
  };
}

/** Scenario files that exist (a bad one's name is read from the file when it can be). */
function files(...names: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-run-suite-'));
  return names.map((name) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, 'not: a scenario\n');
    return path;
  });
}

const outDir = () => mkdtempSync(join(tmpdir(), 'pinbench-run-suite-out-'));

describe('runSuite: scenarios one after another on one chain (fake runs and chain)', () => {
  it('behavior: a scenario with a chain.restart runs on its own embedded chain, not the shared one', async () => {
    const calls: Array<{ file: string; options: RunOptions }> = [];
    const list = files('a-pass', 'b-pass');
    writeFileSync(list[1]!, 'name: b\nfleet: [{ count: 2 }]\nepochs: { lengthS: 60, count: 1 }\ntimeline:\n  - { at: 30, event: chain.restart }\n');
    await runSuite({ files: list, outDir: outDir(), logger: silentLogger, progress: () => undefined, run: fakeRun(calls), startChain: fakeChain([]) });
    expect(calls.map((c) => [c.options.rpcUrl, c.options.operatorKey])).toEqual([
      ['http://127.0.0.1:1', '0xkey'],
      [undefined, undefined],
    ]);
  });

  it('behavior: every run gets the one chain (rpc URL and operator key) and the out and cache folders; the chain stops at the end', async () => {
    const calls: Array<{ file: string; options: RunOptions }> = [];
    const chainLog: string[] = [];
    const progress: string[] = [];
    const out = outDir();
    const list = files('a-pass', 'b-pass');
    const suite = await runSuite({ files: list, outDir: out, cacheDir: '/cache', logger: silentLogger, progress: (l) => progress.push(l), run: fakeRun(calls), startChain: fakeChain(chainLog) });
    expect(chainLog).toEqual(['start true', 'stop']);
    expect(calls.map((c) => [c.file, c.options.rpcUrl, c.options.operatorKey, c.options.outDir, c.options.cacheDir])).toEqual([
      [list[0], 'http://127.0.0.1:1', '0xkey', out, '/cache'],
      [list[1], 'http://127.0.0.1:1', '0xkey', out, '/cache'],
    ]);
    expect(suite.verdict).toBe('pass');
    expect(suite.outcomes.map((o) => [o.name, o.status, o.rpcUrl, o.runDir])).toEqual([
      ['a-pass', 'passed', 'http://127.0.0.1:1', '/runs/a-pass'],
      ['b-pass', 'passed', 'http://127.0.0.1:1', '/runs/b-pass'],
    ]);
    expect(progress.map((l) => l.replace(/\(\d+\.\d s\)/, '(T)'))).toEqual([
      `[1/2] START ${list[0]}`,
      '[1/2] PASS  a-pass (T): 1 checks, 0 thresholds passed; /runs/a-pass/report.md',
      `[2/2] START ${list[1]}`,
      '[2/2] PASS  b-pass (T): 1 checks, 0 thresholds passed; /runs/b-pass/report.md',
    ]);
  });

  it('behavior: a scenario that throws is an error of that scenario, and the suite goes on', async () => {
    const calls: Array<{ file: string; options: RunOptions }> = [];
    const progress: string[] = [];
    const suite = await runSuite({ files: files('a-throw', 'b-pass'), outDir: outDir(), logger: silentLogger, progress: (l) => progress.push(l), run: fakeRun(calls), startChain: fakeChain([]) });
    expect(calls).toHaveLength(2);
    expect(suite.outcomes.map((o) => [o.name, o.status, o.error, o.runDir])).toEqual([
      ['a-throw', 'errored', { code: 'TX_SEND_FAILED', message: 'settlement failed\nwith details' }, '/runs/partial'],
      ['b-pass', 'passed', undefined, '/runs/b-pass'],
    ]);
    expect(progress[1]!.replace(/\(\d+\.\d s\)/, '(T)')).toBe('[1/2] ERROR a-throw (T): settlement failed');
    expect(suite.verdict).toBe('checkFailed');
  });

  it('behavior: --fail-fast stops after the first failure; the rest are skipped, saying why', async () => {
    const calls: Array<{ file: string; options: RunOptions }> = [];
    const progress: string[] = [];
    const list = files('a-pass', 'b-threshold', 'c-pass', 'd-pass');
    const suite = await runSuite({ files: list, outDir: outDir(), failFast: true, logger: silentLogger, progress: (l) => progress.push(l), run: fakeRun(calls), startChain: fakeChain([]) });
    expect(calls.map((c) => c.file)).toEqual(list.slice(0, 2));
    expect(suite.outcomes.map((o) => [o.name, o.status, o.failedBy, o.skipReason])).toEqual([
      ['a-pass', 'passed', undefined, undefined],
      ['b-threshold', 'failed', 'threshold', undefined],
      ['c-pass', 'skipped', undefined, '--fail-fast: b-threshold failed'],
      ['d-pass', 'skipped', undefined, '--fail-fast: b-threshold failed'],
    ]);
    expect(progress.slice(-2)).toEqual([`[3/4] SKIP  ${list[2]}: --fail-fast: b-threshold failed`, `[4/4] SKIP  ${list[3]}: --fail-fast: b-threshold failed`]);
    expect(progress[3]).toMatch(/^\[2\/4\] FAIL  b-threshold \(\d+\.\d s\): threshold failed: rejected.signature <= 5: measured 9, expected <= 5; \/runs\/b-threshold\/report.md$/);
    expect(suite.verdict).toBe('thresholdFailed');
  });

  it('behavior: an interruption stops the current run, skips the rest, and still stops the chain', async () => {
    const chainLog: string[] = [];
    const controller = new AbortController();
    const calls: Array<{ file: string; options: RunOptions }> = [];
    const list = files('a-pass', 'b-interrupt', 'c-pass');
    const suite = await runSuite({
      files: list, outDir: outDir(), logger: silentLogger, progress: () => undefined, signal: controller.signal,
      run: fakeRun(calls, (file) => file.endsWith('b-interrupt.yaml') && controller.abort()), startChain: fakeChain(chainLog),
    });
    expect(calls.map((c) => c.options.signal)).toEqual([controller.signal, controller.signal]);
    expect(suite.outcomes.map((o) => [o.name, o.status])).toEqual([['a-pass', 'passed'], ['b-interrupt', 'interrupted'], ['c-pass', 'skipped']]);
    expect(suite.outcomes[2]!.skipReason).toBe('interrupted before it started');
    expect(suite.verdict).toBe('interrupted');
    expect(chainLog).toEqual(['start true', 'stop']);
  });

  it('behavior: the chain is stopped even when a run throws something the suite does not expect', async () => {
    const chainLog: string[] = [];
    const suite = await runSuite({
      files: files('a-pass'), outDir: outDir(), logger: silentLogger, progress: () => undefined,
      run: async () => { throw new TypeError('boom'); }, startChain: fakeChain(chainLog),
    });
    expect(suite.outcomes[0]!.error).toEqual({ code: 'UNEXPECTED', message: 'boom' });
    expect(chainLog).toEqual(['start true', 'stop']);
  });
});

describe('suiteVerdict: the worst outcome decides', () => {
  const o = (status: ScenarioOutcome['status'], failedBy?: 'check' | 'threshold') => ({ status, ...(failedBy ? { failedBy } : {}) }) as ScenarioOutcome;
  it('behavior: interrupted > a check failed or an error > only thresholds > pass; skipped ones do not count', () => {
    expect(suiteVerdict([o('passed'), o('skipped')])).toBe('pass');
    expect(suiteVerdict([o('passed'), o('failed', 'threshold')])).toBe('thresholdFailed');
    expect(suiteVerdict([o('failed', 'threshold'), o('failed', 'check')])).toBe('checkFailed');
    expect(suiteVerdict([o('failed', 'threshold'), o('errored')])).toBe('checkFailed');
    expect(suiteVerdict([o('errored'), o('interrupted'), o('skipped')])).toBe('interrupted');
  });
});
