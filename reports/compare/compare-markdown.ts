import type { Comparison, ComparisonRow } from './compare-reports.ts';

const pct = (change: number | null) => (change === null ? '—' : `${change > 0 ? '+' : ''}${(change * 100).toFixed(1)} %`);

/** Whether a row changed for the better (for the mark; a regression is marked as such). */
function improved(row: ComparisonRow): boolean {
  if (row.a === null || row.b === null || row.a === row.b) return false;
  return row.better === 'lower' ? row.b < row.a : row.better === 'higher' ? row.b > row.a : false;
}

const mark = (row: ComparisonRow) => (row.regression ? 'REGRESSION' : improved(row) ? 'better' : '');

/** The comparison as a Markdown page (`--md`): what changed, regressions first in the summary line. */
export function renderComparisonMarkdown(comparison: Comparison, names: { a: string; b: string }): string {
  const regressions = comparison.rows.filter((r) => r.regression);
  const lines = [`# pinbench compare`, '', `A: \`${names.a}\``, `B: \`${names.b}\``, ''];
  lines.push(regressions.length === 0 ? 'No regression.' : `**${regressions.length} regressions:** ${regressions.map((r) => `\`${r.metric}\` ${r.aText} → ${r.bText} (${pct(r.change)})`).join(', ')}.`, '');
  for (const note of comparison.notes) lines.push(`> ${note}`, '');
  lines.push('| metric | A | B | change | |', '| --- | ---: | ---: | ---: | --- |');
  for (const row of comparison.rows) lines.push(`| \`${row.metric}\` | ${row.aText} | ${row.bText} | ${pct(row.change)} | ${mark(row)} |`);
  return lines.join('\n') + '\n';
}

/** The comparison as aligned text for the terminal. */
export function renderComparisonText(comparison: Comparison): string[] {
  const header = ['metric', 'A', 'B', 'change', ''];
  const cells = comparison.rows.map((row) => [row.metric, row.aText, row.bText, pct(row.change), mark(row)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 || i === 4 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
  return [...comparison.notes, line(header), ...cells.map(line)];
}
