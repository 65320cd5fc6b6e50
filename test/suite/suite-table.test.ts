import { describe, expect, it } from 'vitest';
import { suiteTableLines } from '../../sim/suite/suite-table.ts';
import type { SuiteResult } from '../../sim/suite/suite-outcome.ts';

describe('suiteTableLines: what `pinbench test` prints at the end', () => {
  it('behavior: one row per scenario with checks and thresholds passed of all, then the verdict line', () => {
    const at = new Date();
    const suite: SuiteResult = {
      startedAt: at, durationMs: 31_000, verdict: 'interrupted', chain: undefined,
      outcomes: [
        { file: 'a.yaml', name: 'alpha', status: 'passed', startedAt: at, durationMs: 12_000, checks: [{ name: 'c', ok: true, detail: '' }], thresholds: [] },
        { file: 'b.yaml', name: 'b', status: 'failed', failedBy: 'check', startedAt: at, durationMs: 9_000, checks: [{ name: 'c', ok: false, detail: '' }, { name: 'd', ok: true, detail: '' }], thresholds: [] },
        { file: 'c.yaml', name: 'c', status: 'interrupted', startedAt: at, durationMs: 10_000, checks: [], thresholds: [], error: { code: 'RUN_INTERRUPTED', message: 'x' } },
        { file: 'd.yaml', name: 'd', status: 'skipped', startedAt: at, durationMs: 0, checks: [], thresholds: [], skipReason: 'interrupted before it started' },
      ],
    };
    expect(suiteTableLines(suite)).toEqual([
      'scenario  result  checks  thresholds    time',
      'alpha     PASS    1/1     0/0         12.0 s',
      'b         FAIL    1/2     0/0          9.0 s',
      'c         STOP    –       –           10.0 s',
      'd         SKIP    –       –            0.0 s',
      'INTERRUPTED suite: 1 passed, 1 failed, 0 errored, 1 interrupted, 1 skipped (31.0 s)',
    ]);
  });
});
