import type { ThresholdResult } from './verdicts.ts';

/** `|` inside a table cell would end it. */
const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The report's Thresholds section (nothing when the scenario has none): threshold, measured, verdict. */
export function renderThresholds(thresholds: readonly ThresholdResult[] | undefined): string[] {
  if (thresholds === undefined || thresholds.length === 0) return [];
  const failed = thresholds.filter((t) => !t.ok).length;
  const lines = ['## Thresholds', '', failed === 0 ? `All ${thresholds.length} passed.` : `${failed} of ${thresholds.length} failed.`, ''];
  lines.push('| threshold | measured | |', '| --- | ---: | --- |');
  for (const t of thresholds) {
    const verdict = t.ok ? '✔ pass' : t.aborted ? '✘ fail (stopped the run)' : '✘ fail';
    lines.push(`| \`${cell(t.expression)}\` | ${cell(t.measuredText)} | ${verdict} |`);
  }
  lines.push('');
  return lines;
}

/** The same as plain text for the end of `pinbench run`: one aligned row per threshold. */
export function thresholdTableLines(thresholds: readonly ThresholdResult[] | undefined): string[] {
  if (thresholds === undefined || thresholds.length === 0) return [];
  const rows = thresholds.map((t) => [t.expression, t.measuredText, t.ok ? 'pass' : t.aborted ? 'FAIL (stopped the run)' : 'FAIL']);
  const header = ['threshold', 'measured', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`;
  return [line(header), ...rows.map(line)];
}
