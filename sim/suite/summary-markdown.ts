import { join, relative, sep } from 'node:path';
import type { ScenarioOutcome, SuiteResult, SuiteVerdict } from './suite-outcome.ts';
import { statusWord } from './suite-outcome.ts';

/**
 * The suite as Markdown for a CI job's summary page (GitHub's `$GITHUB_STEP_SUMMARY`, GitLab's
 * and others' Markdown reports): a headline verdict, one line per scenario, then a table per
 * scenario of its checks and thresholds, failures first in each, and the scenarios that did not
 * pass before those that did, so the page opens on what went wrong.
 */
export function renderSummaryMarkdown(suite: SuiteResult, options: { linkFrom?: string } = {}): string {
  const linkFrom = options.linkFrom ?? process.cwd();
  const ordered = [...suite.outcomes].sort((a, b) => rank(a) - rank(b));
  const lines = [`## ${headline(suite)}`, '', '| | scenario | result | checks | thresholds | time | report |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const o of ordered) {
    lines.push(`| ${icon(o)} | ${cell(o.name)} | ${statusWord(o.status)} | ${passedOf(o.checks)} | ${passedOf(o.thresholds)} | ${(o.durationMs / 1000).toFixed(1)} s | ${reportLink(o, linkFrom)} |`);
  }
  for (const o of ordered) lines.push('', ...scenarioSection(o, linkFrom));
  return lines.join('\n') + '\n';
}

const VERDICT_TEXT: Record<SuiteVerdict, string> = {
  pass: 'passed',
  checkFailed: 'failed',
  thresholdFailed: 'failed a threshold',
  interrupted: 'interrupted',
};

function headline(suite: SuiteResult): string {
  const n = (status: ScenarioOutcome['status']) => suite.outcomes.filter((o) => o.status === status).length;
  const parts = [`${n('passed')} passed`, `${n('failed')} failed`, `${n('errored')} errored`, ...(n('interrupted') > 0 ? [`${n('interrupted')} interrupted`] : []), `${n('skipped')} skipped`];
  return `${suite.verdict === 'pass' ? '✅' : '❌'} pinbench suite ${VERDICT_TEXT[suite.verdict]}: ${parts.join(', ')} (${suite.outcomes.length} scenarios, ${(suite.durationMs / 1000).toFixed(1)} s)`;
}

/** Failed, errored and interrupted scenarios first, then skipped, then passed; the suite's order within each. */
function rank(o: ScenarioOutcome): number {
  return { failed: 0, errored: 0, interrupted: 0, skipped: 1, passed: 2 }[o.status];
}

function icon(o: ScenarioOutcome): string {
  return { passed: '✅', failed: '❌', errored: '💥', interrupted: '⏹️', skipped: '⏭️' }[o.status];
}

const passedOf = (items: ReadonlyArray<{ ok: boolean }>) => (items.length === 0 ? '–' : `${items.filter((i) => i.ok).length}/${items.length}`);

/**
 * A table cell's text: a pipe would end the cell and a line break the row; `<`, `>` and `&`
 * would be read as HTML (`< 100ms` is a threshold, not a tag). Backslash first, so the escapes
 * added here are not escaped again.
 */
export function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/\r?\n/g, '<br>');
}

/**
 * The run's report.md, relative to where the summary is read from, with forward slashes (a URL
 * path). A run that errored or was interrupted wrote no report: its folder holds what it kept.
 */
function reportLink(o: ScenarioOutcome, linkFrom: string): string {
  if (o.runDir === undefined) return '–';
  const finished = o.status === 'passed' || o.status === 'failed';
  const path = relative(linkFrom, finished ? join(o.runDir, 'report.md') : o.runDir).split(sep).join('/');
  return `[${finished ? 'report.md' : 'run folder'}](${encodeURI(path)})`;
}

function scenarioSection(o: ScenarioOutcome, linkFrom: string): string[] {
  const head = [`### ${icon(o)} ${cell(o.name)}`, '', `\`${o.file.replace(/`/g, "'")}\` · ${statusWord(o.status)} · ${(o.durationMs / 1000).toFixed(1)} s${o.runDir === undefined ? '' : ` · ${reportLink(o, linkFrom)}`}`, ''];
  if (o.status === 'skipped') return [...head, `Not run: ${cell(o.skipReason ?? 'skipped')}.`];
  if (o.error !== undefined) return [...head, `**${o.status === 'interrupted' ? 'Interrupted' : 'Error'}** (${o.error.code}): ${cell(o.error.message)}`];
  const rows = [
    ...o.checks.map((c) => ({ ok: c.ok, kind: 'check', name: c.name, measured: c.detail, expected: 'passes' })),
    ...o.thresholds.map((t) => ({ ok: t.ok, kind: 'threshold', name: t.expression, measured: t.measuredText, expected: `${t.metric} ${t.expected}${t.aborted ? ' (stopped the run: abortOnFail)' : ''}` })),
  ].sort((a, b) => Number(a.ok) - Number(b.ok));
  return [
    ...head,
    '| | check / threshold | measured | expected |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.ok ? '✅' : '❌'} | ${r.kind}: ${cell(r.name)} | ${cell(r.measured)} | ${cell(r.expected)} |`),
  ];
}
