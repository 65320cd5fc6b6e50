import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepResult } from '../../reports/sweep/sweep-result.ts';

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

type Renderer = (result: SweepResult) => string;

/**
 * reports/sweep/index.ts's renderSweepHtml, written by the sweep page's own branch. Until that
 * branch is merged the module is absent, and PLACEHOLDER_HTML stands in (marked as such).
 */
async function htmlRenderer(): Promise<Renderer> {
  const path = '../../reports/sweep/index.ts';
  try {
    const module = (await import(path)) as { renderSweepHtml?: Renderer };
    if (typeof module.renderSweepHtml === 'function') return module.renderSweepHtml;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
  return placeholderHtml;
}

/** PLACEHOLDER until reports/sweep/ lands: the sets as a plain table, no charts. */
function placeholderHtml(result: SweepResult): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const head = `<tr><th>id</th><th>set</th>${result.metrics.map((m) => `<th>${esc(m.label)} (${esc(m.unit)})</th>`).join('')}</tr>`;
  const rows = result.sets.map((s) => `<tr><td>${s.id}</td><td>${esc(s.label)}</td>${result.metrics.map((m) => `<td>${s.metrics[m.name] === undefined ? '' : s.metrics[m.name]!.mean.toPrecision(4)}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html><meta charset="utf-8"><title>sweep ${esc(result.scenario.name)}</title>\n<p>Placeholder page: the sweep's charts are not built in this version.</p>\n<table>${head}\n${rows}</table>\n`;
}

/** sweep.json, sweep.csv and sweep.html in `dir`; returns the paths written. */
export async function writeSweepOutputs(dir: string, result: SweepResult): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = { json: join(dir, 'sweep.json'), csv: join(dir, 'sweep.csv'), html: join(dir, 'sweep.html') };
  writeFileSync(files.json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(files.csv, sweepCsv(result));
  writeFileSync(files.html, (await htmlRenderer())(result));
  return [files.json, files.csv, files.html];
}
