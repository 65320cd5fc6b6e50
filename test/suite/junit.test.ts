import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJUnit, secondsOf, timestampOf } from '../../sim/suite/junit.ts';
import type { ScenarioOutcome, SuiteResult } from '../../sim/suite/suite-outcome.ts';
import type { ThresholdResult } from '../../reports/verdicts.ts';
import { parseJUnit, requireXmllint, validateJUnit } from './junit-tools.ts';

const NASTY = `<&"'>`;
const at = new Date('2026-12-07T06:45:01.250Z');

const threshold = (over: Partial<ThresholdResult>): ThresholdResult => ({
  expression: 'latency.publishToAccept.p99 < 100ms', metric: 'latency.publishToAccept.p99', measured: 84.2, measuredText: '84.2ms', expected: '< 100ms',
  ok: true, abortOnFail: false, aborted: false, ...over,
});

/** A suite with every kind of outcome: passed, a failed check, a failed threshold, an error, a skip. */
function suiteOf(): SuiteResult {
  const base = { startedAt: at, checks: [], thresholds: [] };
  const outcomes: ScenarioOutcome[] = [
    {
      ...base, file: 'suite/a-pass.yaml', name: 'a-pass', status: 'passed', durationMs: 12_345, runDir: '/runs/x-a-pass', rpcUrl: 'http://127.0.0.1:8545',
      checks: [{ name: 'readings accepted', ok: true, detail: '120 readings accepted' }, { name: 'all batches settled', ok: true, detail: '2 batches proven and settled' }],
      thresholds: [threshold({})],
    },
    {
      ...base, file: 'suite/b-check.yaml', name: 'b-check', status: 'failed', failedBy: 'check', durationMs: 9_000,
      checks: [{ name: 'every publish accounted for', ok: false, detail: `3 unaccounted ${NASTY} of 120\nsee run.db` }, { name: 'fleet registered', ok: true, detail: '4 of 4' }],
    },
    {
      ...base, file: `suite/c ${NASTY}.yaml`, name: 'c-threshold', status: 'failed', failedBy: 'threshold', durationMs: 8_000,
      checks: [{ name: 'readings accepted', ok: true, detail: '50 readings accepted' }],
      thresholds: [threshold({}), threshold({ expression: `messages.unaccounted == 0`, metric: 'messages.unaccounted', measured: 2, measuredText: '2', expected: '== 0', ok: false, abortOnFail: true, aborted: true })],
    },
    { ...base, file: 'suite/d-bad.yaml', name: 'd-bad', status: 'errored', durationMs: 3, error: { code: 'SCENARIO_INVALID', message: `suite/d-bad.yaml: option \`fleet[0].count\`: expected a positive integer, got "${NASTY}"\nsecond line` } },
    { ...base, file: 'suite/e-skip.yaml', name: 'e-skip', status: 'skipped', durationMs: 0, skipReason: '--fail-fast: b-check failed' },
  ];
  return { outcomes, verdict: 'checkFailed', startedAt: at, durationMs: 32_348, chain: { rpcUrl: 'http://127.0.0.1:8545', statePath: '/runs/s.json' } };
}

function written(xml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pinbench-junit-')), 'junit.xml');
  writeFileSync(file, xml);
  return file;
}

describe('renderJUnit: the suite as JUnit XML', () => {
  const xml = renderJUnit(suiteOf(), { hostname: 'ci-runner' });

  it('behavior: validates against the JUnit schema with xmllint', () => {
    const verdict = validateJUnit(written(xml));
    expect(verdict.output).toMatch(/validates$/);
    expect(verdict.ok).toBe(true);
  });

  it('behavior: parsed back, one testsuite per scenario with its name, file, time in seconds, timestamp and counts; totals at the root', () => {
    const { testsuites } = parseJUnit(xml);
    expect({ name: testsuites.name, tests: testsuites.tests, failures: testsuites.failures, errors: testsuites.errors, time: testsuites.time }).toEqual({
      name: 'pinbench', tests: '10', failures: '2', errors: '1', time: '32.348',
    });
    expect(testsuites.testsuite.map((s) => [s.name, s.file, s.tests, s.failures, s.errors, s.skipped, s.time, s.timestamp])).toEqual([
      ['a-pass', 'suite/a-pass.yaml', '3', '0', '0', '0', '12.345', '2026-12-07T06:45:01'],
      ['b-check', 'suite/b-check.yaml', '2', '1', '0', '0', '9.000', '2026-12-07T06:45:01'],
      ['c-threshold', `suite/c ${NASTY}.yaml`, '3', '1', '0', '0', '8.000', '2026-12-07T06:45:01'],
      ['d-bad', 'suite/d-bad.yaml', '1', '0', '1', '0', '0.003', '2026-12-07T06:45:01'],
      ['e-skip', 'suite/e-skip.yaml', '1', '0', '0', '1', '0.000', '2026-12-07T06:45:01'],
    ]);
    expect(testsuites.testsuite[0]!.properties!.property).toEqual([{ name: 'runDir', value: '/runs/x-a-pass' }, { name: 'rpcUrl', value: 'http://127.0.0.1:8545' }]);
  });

  it('behavior: one testcase per check and per threshold, classnames pinbench.<scenario>.checks / .thresholds, passed ones without a failure', () => {
    const [a] = parseJUnit(xml).testsuites.testsuite;
    expect(a!.testcase.map((c) => [c.classname, c.name, c.time, c.failure])).toEqual([
      ['pinbench.a-pass.checks', 'readings accepted', '0.000', undefined],
      ['pinbench.a-pass.checks', 'all batches settled', '0.000', undefined],
      ['pinbench.a-pass.thresholds', 'latency.publishToAccept.p99 < 100ms', '0.000', undefined],
    ]);
  });

  it('behavior: a failed check holds a failure of type check with its detail, special characters and line breaks intact', () => {
    const b = parseJUnit(xml).testsuites.testsuite[1]!;
    const failed = b.testcase.find((c) => c.name === 'every publish accounted for')!;
    expect(failed.failure).toEqual({
      type: 'check',
      message: `measured 3 unaccounted ${NASTY} of 120\nsee run.db; expected every publish accounted for`,
      '#text': `3 unaccounted ${NASTY} of 120\nsee run.db`,
    });
    expect(b.testcase.find((c) => c.name === 'fleet registered')!.failure).toBeUndefined();
  });

  it('behavior: a failed threshold holds a failure of type threshold with measured vs expected', () => {
    const c = parseJUnit(xml).testsuites.testsuite[2]!;
    const failed = c.testcase.filter((t) => t.failure !== undefined);
    expect(failed.map((t) => [t.classname, t.name, t.failure!.type, t.failure!.message])).toEqual([
      ['pinbench.c-threshold.thresholds', 'messages.unaccounted == 0', 'threshold', 'measured 2, expected messages.unaccounted == 0'],
    ]);
    expect(failed[0]!.failure!['#text']).toBe('threshold: messages.unaccounted == 0\nmetric: messages.unaccounted\nmeasured: 2\nexpected: == 0\nthis threshold stopped the run early (abortOnFail)');
  });

  it('behavior: an errored scenario is one testcase `run` with an error (its code as type, first line as message); a skipped one has skipped', () => {
    const [, , , d, e] = parseJUnit(xml).testsuites.testsuite;
    expect(d!.testcase).toEqual([{
      name: 'run', classname: 'pinbench.d-bad', time: '0.003',
      error: {
        type: 'SCENARIO_INVALID',
        message: `suite/d-bad.yaml: option \`fleet[0].count\`: expected a positive integer, got "${NASTY}"`,
        '#text': `suite/d-bad.yaml: option \`fleet[0].count\`: expected a positive integer, got "${NASTY}"\nsecond line`,
      },
    }]);
    expect(e!.testcase).toEqual([{ name: 'run', classname: 'pinbench.e-skip', time: '0.000', skipped: { message: '--fail-fast: b-check failed' } }]);
  });

  it('behavior: a suite whose reports carry no thresholds (reports before thresholds) still validates, with only check testcases', () => {
    const suite = suiteOf();
    const old = { ...suite.outcomes[1]!, thresholds: [] };
    const xmlOld = renderJUnit({ ...suite, outcomes: [old] }, { hostname: 'h' });
    expect(validateJUnit(written(xmlOld)).ok).toBe(true);
    expect(parseJUnit(xmlOld).testsuites.testsuite[0]!.testcase.map((c) => c.classname)).toEqual(['pinbench.b-check.checks', 'pinbench.b-check.checks']);
  });

  it('error: the schema check can fail — a testsuite without its required counts is refused by xmllint', () => {
    const broken = xml.replace(/<testsuite name="a-pass" tests="3"/, '<testsuite name="a-pass"');
    expect(broken).not.toBe(xml);
    const verdict = validateJUnit(written(broken));
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toMatch(/attribute 'tests' is required/);
  });

  it('error: without xmllint the schema tests fail, saying how to install it', () => {
    expect(() => requireXmllint(['/nonexistent/xmllint'])).toThrow(
      "this test validates JUnit XML with Debian's xmllint, which is not installed: apt-get install libxml2-utils (.ci/run installs it)",
    );
  });

  it('behavior: times are seconds with millisecond precision, timestamps ISO 8601 in UTC without a zone', () => {
    expect([secondsOf(0), secondsOf(1), secondsOf(61_234.6), secondsOf(-5)]).toEqual(['0.000', '0.001', '61.235', '0.000']);
    expect(timestampOf(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05');
  });
});
