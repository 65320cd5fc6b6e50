import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReportArgs, runReportCommand } from '../../sim/cli/report-command.ts';
import { fakeReport, olderPoint } from '../reports/fake-report.ts';

/** A run folder holding only a report.json (a fake report, for this unit test). */
function folderWith(report: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-report-cmd-'));
  writeFileSync(join(dir, 'report.json'), typeof report === 'string' ? report : JSON.stringify(report));
  return dir;
}

describe('pinbench report', () => {
  it('behavior: draws report.md and report.html again from report.json; an older report without the sample fields still draws, and without run.db the map has no tracks', () => {
    const report = fakeReport();
    report.performance.timeline = [olderPoint(1), olderPoint(2)];
    const dir = folderWith(report);
    expect(runReportCommand(dir)).toEqual([join(dir, 'report.md'), join(dir, 'report.html')]);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain(`# pinbench run: ${report.scenario.name}`);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    // The page's data says which charts this older report cannot fill, and why.
    expect(html).toContain('its timeline predates per-second latency (performance.timeline[].latencyMs)');
    expect(existsSync(join(dir, 'run.db'))).toBe(false);
  });

  it('error: a damaged report names the field it lacks; JSON that is no report, a fleet-only report and a missing folder are refused in one line', () => {
    const report = fakeReport() as unknown as { gas: Record<string, unknown> };
    delete report.gas.perDeviceEpoch;
    const damaged = folderWith(report);
    expect(() => runReportCommand(damaged)).toThrow(`${join(damaged, 'report.json')} has no \`gas.perDeviceEpoch\`: it is damaged, or from a pinbench too old to draw again; run the scenario again`);
    const cut = folderWith('{"pinbench": {"version": "0.1.0"}, "scen');
    expect(() => runReportCommand(cut)).toThrow(/report\.json is not JSON \(.*\): the report is damaged/);
    const fleetOnly = folderWith({ ...fakeReport(), mode: 'fleet-only' });
    expect(() => runReportCommand(fleetOnly)).toThrow("is a fleet-only run's report (--backend none): its report.md is all it has; report.html is drawn for runs of the whole pipeline");
    expect(() => runReportCommand('/nonexistent/run')).toThrow('/nonexistent/run/report.json does not exist: give a run folder (runs/<time>-<scenario>/) or its report.json');
    expect(() => parseReportArgs([])).toThrow('give one run folder: `pinbench report runs/<time>-<scenario>`, got 0');
  });
});
