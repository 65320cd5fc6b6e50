import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { PinbenchError } from '../../core/errors.ts';
import { renderMarkdown, type RunReport } from '../../reports/index.ts';
import { missingRunReportField } from '../../reports/run-report-fields.ts';
import { renderHtml } from '../../reports/html/index.ts';
import type { TrackSet } from '../../reports/output.ts';
import { readTracks } from '../run/report-tracks.ts';
import { parseCommandLine } from './parse-command-line.ts';
import { readReport } from './compare-command.ts';

export const REPORT_USAGE = `Usage: pinbench report <run folder>

Draws report.md and report.html of a finished run again from its report.json and run.db: for a
run made by an older pinbench, or after report.html was deleted. Charts whose data an older
report does not hold say so on the page.

Options:
  -h, --help             show this help
`;

export function parseReportArgs(argv: string[]): { runDir: string } | { help: string } {
  const { values, positionals } = parseCommandLine(argv, { help: { type: 'boolean', short: 'h', default: false } }, 'see `pinbench report --help`');
  if (values.help) return { help: REPORT_USAGE };
  if (positionals.length !== 1) throw new PinbenchError('CLI_ARGS_INVALID', `give one run folder: \`pinbench report runs/<time>-<scenario>\`, got ${positionals.length}`);
  return { runDir: positionals[0]! };
}

/** Reads and checks a run folder's report.json for drawing: a field a renderer needs and the file lacks is named. */
export function readRunReport(runDir: string): { report: RunReport; file: string } {
  const file = runDir.endsWith('.json') ? runDir : join(runDir, 'report.json');
  const read = readReport(file);
  const mode = (read as { mode?: string }).mode;
  if (mode === 'fleet-only') throw new PinbenchError('REPORT_INVALID', `${file} is a fleet-only run's report (--backend none): its report.md is all it has; report.html is drawn for runs of the whole pipeline`);
  const missing = missingRunReportField(read);
  if (missing !== undefined) throw new PinbenchError('REPORT_INVALID', `${file} has no \`${missing}\`: it is damaged, or from a pinbench too old to draw again; run the scenario again`);
  return { report: read as unknown as RunReport, file };
}

/** `pinbench report <run folder>`: report.md and report.html again; returns the files written. */
export function runReportCommand(runDir: string): string[] {
  const { report, file } = readRunReport(runDir);
  const folder = dirname(file);
  const dbPath = join(folder, 'run.db');
  let tracks: TrackSet = { bounds: null, tracks: [], readings: 0, kept: 0 };
  // Without run.db (copied elsewhere, say) the page still draws; its map says it has no tracks.
  if (existsSync(dbPath)) {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      tracks = readTracks(db, { attached: report.attached.map((d) => d.deviceId) });
    } finally {
      db.close();
    }
  }
  writeFileSync(join(folder, 'report.md'), renderMarkdown(report));
  writeFileSync(join(folder, 'report.html'), renderHtml({ report, tracks }));
  return [join(folder, 'report.md'), join(folder, 'report.html')];
}
