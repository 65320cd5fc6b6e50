import { describe, expect, it } from 'vitest';
import { cell, renderSummaryMarkdown } from '../../sim/suite/summary-markdown.ts';
import type { ScenarioOutcome, SuiteResult } from '../../sim/suite/suite-outcome.ts';

const at = new Date('2026-12-07T06:00:00Z');
const base = { startedAt: at, checks: [], thresholds: [] };

function suite(outcomes: ScenarioOutcome[], verdict: SuiteResult['verdict']): SuiteResult {
  return { outcomes, verdict, startedAt: at, durationMs: 20_000, chain: undefined };
}

const passed: ScenarioOutcome = {
  ...base, file: 'ci/a.yaml', name: 'a', status: 'passed', durationMs: 10_000, runDir: '/work/runs/t-a',
  checks: [{ name: 'readings accepted', ok: true, detail: '10 readings accepted' }],
};
const failed: ScenarioOutcome = {
  ...base, file: 'ci/b.yaml', name: 'b', status: 'failed', failedBy: 'threshold', durationMs: 9_000, runDir: '/work/runs/t-b',
  checks: [{ name: 'readings accepted', ok: true, detail: '10 readings accepted' }],
  thresholds: [
    { expression: 'connect.p95 < 2s', metric: 'connect.p95', measured: 100, measuredText: '0.1s', expected: '< 2s', ok: true, abortOnFail: false, aborted: false },
    { expression: 'latency.publishToAccept.p99 < 100ms', metric: 'latency.publishToAccept.p99', measured: 120, measuredText: '120ms', expected: '< 100ms', ok: false, abortOnFail: false, aborted: false },
  ],
};
const errored: ScenarioOutcome = { ...base, file: 'ci/c.yaml', name: 'c', status: 'errored', durationMs: 5, error: { code: 'SCENARIO_INVALID', message: 'ci/c.yaml: option `fleet`: expected a list | got 3' } };
const skipped: ScenarioOutcome = { ...base, file: 'ci/d.yaml', name: 'd', status: 'skipped', durationMs: 0, skipReason: '--fail-fast: c errored' };

describe('renderSummaryMarkdown: the suite for a CI job summary page', () => {
  const md = renderSummaryMarkdown(suite([passed, failed, errored, skipped], 'checkFailed'), { linkFrom: '/work' });
  const lines = md.split('\n');

  it('behavior: a headline verdict with the counts', () => {
    expect(lines[0]).toBe('## ❌ pinbench suite failed: 1 passed, 1 failed, 1 errored, 1 skipped (4 scenarios, 20.0 s)');
    expect(renderSummaryMarkdown(suite([passed], 'pass')).split('\n')[0]).toBe('## ✅ pinbench suite passed: 1 passed, 0 failed, 0 errored, 0 skipped (1 scenarios, 20.0 s)');
    expect(renderSummaryMarkdown(suite([failed], 'thresholdFailed')).split('\n')[0]).toMatch(/^## ❌ pinbench suite failed a threshold: /);
  });

  it('behavior: the overview lists the scenarios that did not pass first, with links to their report.md relative to the summary', () => {
    const rows = lines.filter((l) => /^\| (✅|❌|💥|⏭️) \|/.test(l)).slice(0, 4);
    expect(rows).toEqual([
      '| ❌ | b | FAIL | 1/1 | 1/2 | 9.0 s | [report.md](runs/t-b/report.md) |',
      '| 💥 | c | ERROR | – | – | 0.0 s | – |',
      '| ⏭️ | d | SKIP | – | – | 0.0 s | – |',
      '| ✅ | a | PASS | 1/1 | – | 10.0 s | [report.md](runs/t-a/report.md) |',
    ]);
  });

  it('behavior: each scenario has a table of checks and thresholds, failures first, measured and expected escaped for Markdown', () => {
    const start = lines.indexOf('### ❌ b');
    expect(lines.slice(start, start + 8)).toEqual([
      '### ❌ b',
      '',
      '`ci/b.yaml` · FAIL · 9.0 s · [report.md](runs/t-b/report.md)',
      '',
      '| | check / threshold | measured | expected |',
      '| --- | --- | --- | --- |',
      '| ❌ | threshold: latency.publishToAccept.p99 &lt; 100ms | 120ms | latency.publishToAccept.p99 &lt; 100ms |',
      '| ✅ | check: readings accepted | 10 readings accepted | passes |',
    ]);
  });

  it('behavior: an errored scenario shows its error, a skipped one why it did not run', () => {
    expect(md).toContain('**Error** (SCENARIO_INVALID): ci/c.yaml: option \\`fleet\\`: expected a list \\| got 3');
    expect(md).toContain('Not run: --fail-fast: c errored.');
  });

  it('behavior: a table cell cannot break the table or be read as HTML', () => {
    expect(cell('a | b\nc <d> & `e` \\')).toBe('a \\| b<br>c &lt;d&gt; &amp; \\`e\\` \\\\');
  });
});

describe('renderSummaryMarkdown: runs that wrote no report', () => {
  it('behavior: an interrupted run links its folder (what it kept), not a report.md it never wrote', () => {
    const stopped: ScenarioOutcome = { ...base, file: 'ci/s.yaml', name: 's', status: 'interrupted', durationMs: 1000, runDir: '/work/runs/t-s', error: { code: 'RUN_INTERRUPTED', message: 'run interrupted' } };
    const md = renderSummaryMarkdown(suite([stopped], 'interrupted'), { linkFrom: '/work' });
    expect(md.split('\n')[0]).toBe('## ❌ pinbench suite interrupted: 0 passed, 0 failed, 0 errored, 1 interrupted, 0 skipped (1 scenarios, 20.0 s)');
    expect(md).toContain('| ⏹️ | s | STOP | – | – | 1.0 s | [run folder](runs/t-s) |');
    expect(md).toContain('**Interrupted** (RUN_INTERRUPTED): run interrupted');
  });
});
