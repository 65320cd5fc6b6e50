import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { betterOf, compareReports } from '../../reports/compare/compare-reports.ts';
import { parseCompareArgs, readReport, runCompareCommand } from '../../sim/cli/compare-command.ts';
import type { RunReport } from '../../reports/types.ts';

/** The parts of a run's report the compared metrics read (a fake for unit tests; real reports are compared in determinism.test.ts). */
function fakeReport(overrides: { accepted: number; p99: number; gas: string; signature: number; name?: string }): RunReport {
  return {
    pinbench: { version: '0.1.0' },
    scenario: { name: overrides.name ?? 'smoke', seed: 1, source: 's.yaml', devices: 20, epochs: 2, epochLengthS: 12 },
    checks: [{ name: 'readings accepted', ok: true, detail: '' }],
    counts: { published: 500, received: 500, accepted: overrides.accepted, rejected: { signature: overrides.signature }, unaccounted: 0, authFailures: 0, refusedLogins: {} },
    latencyMs: { samples: 500, p50: 1, p95: 5, p99: overrides.p99, max: 30 },
    gas: { perDeviceEpoch: overrides.gas, settlePerBatchMax: '300000' },
    proofs: { count: 4, proveMsP50: 900, proveMsMax: 1200, proveMsTotal: 3600, closeToMinedMsP50: 3000, closeToMinedMsP95: 5000 },
    profiles: [],
  } as unknown as RunReport;
}

const dirWith = (report: unknown) => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-compare-'));
  writeFileSync(join(dir, 'report.json'), typeof report === 'string' ? report : JSON.stringify(report));
  return dir;
};

describe('compareReports (fake reports)', () => {
  it('behavior: each metric in A and B with its change; worse beyond the tolerance is a regression, in the direction the metric has', () => {
    const a = fakeReport({ accepted: 500, p99: 10, gas: '10000', signature: 0 });
    const b = fakeReport({ accepted: 450, p99: 10.5, gas: '12000', signature: 3 });
    const rows = compareReports(a, b, { tolerance: 0.1 }).rows;
    const row = (m: string) => rows.find((r) => r.metric === m)!;
    expect(row('messages.accepted')).toMatchObject({ a: 500, b: 450, change: -0.1, better: 'higher', regression: false });
    expect(row('latency.publishToAccept.p99')).toMatchObject({ a: 10, b: 10.5, better: 'lower', regression: false });
    expect(row('gas.perDeviceEpoch')).toMatchObject({ a: 10000, b: 12000, change: 0.2, regression: true });
    // From 0, a new rejection is a regression whatever the tolerance.
    expect(row('rejected.signature')).toMatchObject({ a: 0, b: 3, change: null, regression: true });
    expect(row('messages.published')).toMatchObject({ better: 'neither', regression: false });
    expect(compareReports(a, b).rows.find((r) => r.metric === 'messages.accepted')!.regression).toBe(true);
    expect([betterOf('throughput.acceptedPerSecond.mean'), betterOf('memory.wholeRun'), betterOf('broker.connects')]).toEqual(['higher', 'lower', 'neither']);
  });

  it('behavior: two different scenarios are said to differ, and what they share is compared', () => {
    const comparison = compareReports(fakeReport({ accepted: 1, p99: 1, gas: '1', signature: 0 }), fakeReport({ accepted: 1, p99: 1, gas: '1', signature: 0, name: 'city-10k' }));
    expect(comparison.notes).toEqual([
      'The runs are of different scenarios (A: smoke, seed 1, 20 devices; B: city-10k, seed 1, 20 devices): only the metrics they share are compared, and the counts follow from the scenarios as much as from the change.',
    ]);
    expect(comparison.rows.length).toBeGreaterThan(3);
  });
});

describe('pinbench compare (fake reports on disk)', () => {
  it('behavior: prints the table; --fail-on-regression 10% exits 1 naming the metrics; --md writes the page', () => {
    const a = dirWith(fakeReport({ accepted: 500, p99: 10, gas: '10000', signature: 0 }));
    const b = dirWith(fakeReport({ accepted: 500, p99: 20, gas: '10000', signature: 0 }));
    const md = join(b, 'compare.md');
    const lines: string[] = [];
    const command = parseCompareArgs([a, b, '--fail-on-regression', '10%', '--md', md]);
    expect(command).toEqual({ runA: a, runB: b, failOnRegression: 0.1, mdPath: md });
    expect(runCompareCommand(command as never, { stdout: (l) => lines.push(l) })).toBe(1);
    expect(lines.find((l) => l.startsWith('latency.publishToAccept.p99'))).toMatch(/^latency\.publishToAccept\.p99\s+10ms\s+20ms\s+\+100\.0 %\s+REGRESSION$/);
    expect(lines.at(-1)).toBe('FAIL compare: 1 metrics worse by more than 10 %: latency.publishToAccept.p99');
    expect(readFileSync(md, 'utf8')).toContain('**1 regressions:** `latency.publishToAccept.p99` 10ms → 20ms (+100.0 %).');
    expect(runCompareCommand({ runA: a, runB: a, failOnRegression: 0.1 }, { stdout: () => undefined })).toBe(0);
  });

  it('errors: arguments, a missing, damaged, foreign or resumed report each get one line naming what is wrong', () => {
    expect(() => parseCompareArgs(['a'])).toThrow('give two runs to compare: `pinbench compare runs/<A> runs/<B>`, got 1');
    expect(() => parseCompareArgs(['a', 'b', '--fail-on-regression', 'ten'])).toThrow('option --fail-on-regression: expected a percentage such as 10%, got "ten"');
    const missing = join(mkdtempSync(join(tmpdir(), 'pinbench-compare-')), 'nope');
    expect(() => readReport(missing)).toThrow(`${missing} does not exist: give a run folder (runs/<time>-<scenario>/) or its report.json`);
    const damaged = dirWith('{"pinbench": {');
    expect(() => readReport(damaged)).toThrow(new RegExp(`^${join(damaged, 'report.json')} is not JSON \\(.*\\): the report is damaged; run the scenario again, or \`pinbench resume\` its folder$`));
    const foreign = dirWith({ pinbench: { version: '0.1.0' }, scenario: { name: 'x', seed: 1 } });
    expect(() => readReport(foreign)).toThrow(`${join(foreign, 'report.json')} has no \`scenario.devices\`: it is not a pinbench run's report, or a damaged one`);
    const resumed = dirWith({ ...fakeReport({ accepted: 1, p99: 1, gas: '1', signature: 0 }), mode: 'resumed' });
    expect(() => readReport(resumed)).toThrow(/is the report of a resumed run: it holds what run\.db and the chain kept, not the run's measures; compare runs that finished$/);
  });
});
