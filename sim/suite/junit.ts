import { hostname } from 'node:os';
import type { ReportCheck } from '../../reports/types.ts';
import type { ThresholdResult } from '../../reports/verdicts.ts';
import type { ScenarioOutcome, SuiteResult } from './suite-outcome.ts';
import { renderXml, type XmlElement } from './xml-writer.ts';

/**
 * The suite as JUnit XML, in the de facto format CI systems read (Jenkins' junit-10.xsd; GitLab,
 * GitHub actions such as mikepenz/action-junit-report): one `testsuite` per scenario, one
 * `testcase` per built-in check and per threshold, times in seconds.
 *
 * - A check or threshold that failed holds a `failure` whose message says what was measured and
 *   what was expected, and whose `type` says which of the two it is (`check`, `threshold`).
 * - A scenario that could not run has no checks to report: one `testcase` named `run` holds its
 *   `error`. One that never started holds a `skipped` one.
 * - Checks and thresholds are judged at the end of the run, not timed one by one: their
 *   `time` is 0, and the scenario's `testsuite` carries the run's time.
 */
export function renderJUnit(suite: SuiteResult, options: { hostname?: string } = {}): string {
  const host = options.hostname ?? hostname();
  const suites = suite.outcomes.map((outcome) => testsuite(outcome, host));
  const totals = suite.outcomes.map(counts).reduce((a, b) => ({
    tests: a.tests + b.tests, failures: a.failures + b.failures, errors: a.errors + b.errors, skipped: a.skipped + b.skipped,
  }), { tests: 0, failures: 0, errors: 0, skipped: 0 });
  return renderXml({
    name: 'testsuites',
    // junit-10.xsd has no `skipped` on the root (each testsuite has its own).
    attributes: [['name', 'pinbench'], ['tests', totals.tests], ['failures', totals.failures], ['errors', totals.errors], ['time', secondsOf(suite.durationMs)]],
    children: suites,
  });
}

/** `12.345`: seconds with millisecond precision, as junit-10.xsd's SUREFIRE_TIME allows (no exponent, no sign). */
export function secondsOf(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** `2026-12-07T06:45:00`: JUnit's timestamp, ISO 8601 in UTC without a zone, as Ant wrote it. */
export function timestampOf(date: Date): string {
  return date.toISOString().slice(0, 19);
}

interface Counts { tests: number; failures: number; errors: number; skipped: number }

function counts(outcome: ScenarioOutcome): Counts {
  if (outcome.status === 'skipped') return { tests: 1, failures: 0, errors: 0, skipped: 1 };
  if (outcome.status === 'errored' || outcome.status === 'interrupted') return { tests: 1, failures: 0, errors: 1, skipped: 0 };
  const failures = outcome.checks.filter((c) => !c.ok).length + outcome.thresholds.filter((t) => !t.ok).length;
  return { tests: outcome.checks.length + outcome.thresholds.length, failures, errors: 0, skipped: 0 };
}

function testsuite(outcome: ScenarioOutcome, host: string): XmlElement {
  const c = counts(outcome);
  return {
    name: 'testsuite',
    attributes: [
      ['name', outcome.name], ['tests', c.tests], ['failures', c.failures], ['errors', c.errors], ['skipped', c.skipped],
      ['time', secondsOf(outcome.durationMs)], ['timestamp', timestampOf(outcome.startedAt)], ['hostname', host], ['file', outcome.file],
    ],
    children: [...properties(outcome), ...testcases(outcome)],
  };
}

/** Where to look next: the run folder and the chain it settled on. */
function properties(outcome: ScenarioOutcome): XmlElement[] {
  const entries: Array<[string, string]> = [];
  if (outcome.runDir !== undefined) entries.push(['runDir', outcome.runDir]);
  if (outcome.rpcUrl !== undefined) entries.push(['rpcUrl', outcome.rpcUrl]);
  if (entries.length === 0) return [];
  return [{ name: 'properties', children: entries.map(([name, value]) => ({ name: 'property', attributes: [['name', name], ['value', value]] })) }];
}

function testcases(outcome: ScenarioOutcome): XmlElement[] {
  const base = `pinbench.${outcome.name}`;
  if (outcome.status === 'skipped') {
    return [{ name: 'testcase', attributes: [['name', 'run'], ['classname', base], ['time', '0.000']], children: [{ name: 'skipped', attributes: [['message', outcome.skipReason ?? 'not run']] }] }];
  }
  if (outcome.error !== undefined) {
    const firstLine = outcome.error.message.split('\n')[0]!;
    return [{
      name: 'testcase',
      attributes: [['name', 'run'], ['classname', base], ['time', secondsOf(outcome.durationMs)]],
      children: [{ name: 'error', attributes: [['message', firstLine], ['type', outcome.error.code]], children: [outcome.error.message] }],
    }];
  }
  return [
    ...outcome.checks.map((check) => checkCase(check, `${base}.checks`)),
    ...outcome.thresholds.map((threshold) => thresholdCase(threshold, `${base}.thresholds`)),
  ];
}

function checkCase(check: ReportCheck, classname: string): XmlElement {
  return {
    name: 'testcase',
    attributes: [['name', check.name], ['classname', classname], ['time', '0.000']],
    // A check's detail is what it measured; what it expects is in its name (`chain balances equal rewards`).
    children: check.ok ? [] : [{ name: 'failure', attributes: [['message', `measured ${check.detail}; expected ${check.name}`], ['type', 'check']], children: [check.detail] }],
  };
}

/** The failure's text, one fact a line, for readers that show the body rather than the message. */
function thresholdBody(t: ThresholdResult): string {
  return [
    `threshold: ${t.expression}`,
    `metric: ${t.metric}`,
    `measured: ${t.measuredText}`,
    `expected: ${t.expected}`,
    ...(t.aborted ? ['this threshold stopped the run early (abortOnFail)'] : []),
  ].join('\n');
}

function thresholdCase(t: ThresholdResult, classname: string): XmlElement {
  return {
    name: 'testcase',
    attributes: [['name', t.expression], ['classname', classname], ['time', '0.000']],
    children: t.ok ? [] : [{ name: 'failure', attributes: [['message', `measured ${t.measuredText}, expected ${t.metric} ${t.expected}`], ['type', 'threshold']], children: [thresholdBody(t)] }],
  };
}
