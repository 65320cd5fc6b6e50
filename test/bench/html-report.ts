// The HTML report at city scale, JSON on stdout: a run.db of 10,000 devices × 720 readings
// (a seeded random walk around Berlin, written in the real schema), the tracks readTracks
// keeps of it and how long it takes, report.html's size with a 10,000-device report (fake
// figures, an hour of samples), and how long headless Chromium takes to draw it.
// Usage: npx tsx test/bench/html-report.ts [--devices 10000] [--points 720] [--keep <folder>]
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_SQL } from '../../backend/store/schema.ts';
import { renderHtml } from '../../reports/html/render-html.ts';
import { readTracks } from '../../sim/run/report-tracks.ts';
import { openInChromium } from '../support/chromium-page.ts';
import { fakeCity } from '../reports/fake-report.ts';
import { benchArgs, integer, text } from './bench-args.ts';

const { devices, points, keep } = benchArgs({ devices: integer(10000), points: integer(720), keep: text('') });
const work = keep === '' ? mkdtempSync(join(tmpdir(), 'pinbench-html-bench-')) : keep;

const db = new Database(join(work, 'run.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = OFF');
db.exec(SCHEMA_SQL);
let seed = 7;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const started = performance.now();
db.transaction(() => {
  const device = db.prepare("INSERT INTO devices (device_index, device_id, name, motion, owner, public_key) VALUES (?, ?, ?, 'car', '0x0', x'00')");
  const profile = db.prepare("INSERT INTO device_profiles (device_index, profile, adversary, upload_period_s) VALUES (?, 'car', NULL, 60)");
  const flag = db.prepare("INSERT INTO flags (epoch, device_index, flag, evidence) VALUES (0, ?, 'rate', '{}')");
  const reading = db.prepare("INSERT INTO readings (device_index, epoch, timestamp_s, lat_e7, lon_e7, received_ms, package, digest) VALUES (?, ?, ?, ?, ?, 0, x'00', x'00')");
  for (let d = 1; d <= devices; d++) {
    device.run(d, String(359_811_450_000_000 + d), `d${d}`);
    profile.run(d);
    if (d % 50 === 0) flag.run(d);
    let lon = 13.1 + random() * 0.6;
    let lat = 52.35 + random() * 0.3;
    for (let i = 0; i < points; i++) {
      lon += (random() - 0.5) * 0.002;
      lat += (random() - 0.5) * 0.0012;
      reading.run(d, Math.floor(i / 60), 1_767_225_600 + i * 60, Math.round(lat * 1e7), Math.round(lon * 1e7));
    }
  }
})();
const writeMs = performance.now() - started;

const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const tracks = readTracks(db);
const readMs = performance.now() - t0;
const rssAfter = process.memoryUsage().rss;
db.close();

const { report } = fakeCity(devices, 1, 3600);
const t1 = performance.now();
const html = renderHtml({ report, tracks });
const renderMs = performance.now() - t1;
const file = join(work, 'report.html');
writeFileSync(file, html);
const page = await openInChromium(file, { screenshot: join(work, 'report.png') });
console.log(JSON.stringify({
  devices, readings: tracks.readings, kept: tracks.kept,
  writeRunDbMs: Math.round(writeMs), readTracksMs: Math.round(readMs), rssGrowthMb: Math.round((rssAfter - rssBefore) / 2 ** 20),
  renderMs: Math.round(renderMs), htmlBytes: statSync(file).size,
  chromiumDrawMs: Math.round(page.drawMs), mapPoints: page.charts.find((c) => c.id === 'map')?.points,
  consoleProblems: page.consoleProblems, pageErrors: page.pageErrors, requests: page.requests.length,
  folder: keep === '' ? '(removed)' : work,
}, null, 2));
if (keep === '') rmSync(work, { recursive: true, force: true });
