import type { SuiteResult } from './suite-outcome.ts';
import { statusWord } from './suite-outcome.ts';

/** What `pinbench test` prints at the end: a table of the scenarios, then the suite's verdict in one line. */
export function suiteTableLines(suite: SuiteResult): string[] {
  const rows = suite.outcomes.map((o) => [
    o.name,
    statusWord(o.status),
    o.status === 'skipped' || o.error !== undefined ? '–' : `${o.checks.filter((c) => c.ok).length}/${o.checks.length}`,
    o.status === 'skipped' || o.error !== undefined ? '–' : `${o.thresholds.filter((t) => t.ok).length}/${o.thresholds.length}`,
    `${(o.durationMs / 1000).toFixed(1)} s`,
  ]);
  const header = ['scenario', 'result', 'checks', 'thresholds', 'time'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const count = (status: string) => suite.outcomes.filter((o) => o.status === status).length;
  const verdict = suite.verdict === 'pass' ? 'PASS' : suite.verdict === 'interrupted' ? 'INTERRUPTED' : 'FAIL';
  return [
    line(header),
    ...rows.map(line),
    `${verdict} suite: ${count('passed')} passed, ${count('failed')} failed, ${count('errored')} errored, ` +
      `${count('interrupted') > 0 ? `${count('interrupted')} interrupted, ` : ''}${count('skipped')} skipped (${(suite.durationMs / 1000).toFixed(1)} s)`,
  ];
}
