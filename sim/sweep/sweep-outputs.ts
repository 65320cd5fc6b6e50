import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepResult } from '../../reports/sweep/sweep-result.ts';
import { renderSweepHtml } from '../../reports/sweep/index.ts';

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per set: id, label, each axis's value, then each metric's mean and sd (columns `<metric>.mean`, `<metric>.sd`; empty where a set has no value). */
export function sweepCsv(result: SweepResult): string {
  const header = ['id', 'label', ...result.axes.map((a) => a.name), ...result.metrics.flatMap((m) => [`${m.name}.mean`, `${m.name}.sd`])];
  const rows = result.sets.map((s) => [
    String(s.id), s.label, ...result.axes.map((a) => s.params[a.name] ?? ''),
    ...result.metrics.flatMap((m) => {
      const v = s.metrics[m.name];
      return v === undefined ? ['', ''] : [String(v.mean), String(v.sd)];
    }),
  ]);
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}

/** sweep.json, sweep.csv and sweep.html in `dir`; returns the paths written. */
export function writeSweepOutputs(dir: string, result: SweepResult): string[] {
  mkdirSync(dir, { recursive: true });
  const files = { json: join(dir, 'sweep.json'), csv: join(dir, 'sweep.csv'), html: join(dir, 'sweep.html') };
  writeFileSync(files.json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(files.csv, sweepCsv(result));
  writeFileSync(files.html, renderSweepHtml(result));
  return [files.json, files.csv, files.html];
}
