import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../reports/types.ts';
import { testCacheDir } from '../support/cache.ts';
import { runPinbench, type Ran } from '../support/pinbench-cli.ts';

const pinbench = runPinbench;

/** Four honest trackers and one forging signatures, over three short accelerated epochs. */
const scenario = (thresholds: string) => `name: thresholds
seed: 17
fleet:
  - { count: 4, motion: car, uploadPeriodS: 2 }
  - { count: 1, motion: car, uploadPeriodS: 2, adversary: forged-signature }
epochs: { lengthS: 12, count: 3 }
time: { mode: accelerated }
circuit: { batchSize: 4, readingsPerDevice: 8 }
thresholds:
${thresholds}
`;

describe('integration: thresholds decide the exit code, and abortOnFail stops a run early', () => {
  const root = mkdtempSync(join(tmpdir(), 'pinbench-thresholds-'));
  let ran: Ran;
  let report: RunReport;
  let runDir: string;

  beforeAll(async () => {
    const file = join(root, 'abort.yaml');
    writeFileSync(
      file,
      scenario(
        [
          '  - messages.unaccounted == 0',
          '  - { expr: "rejected.signature <= 0", abortOnFail: true }',
          '  - latency.publishToAccept.p99 < 10min',
        ].join('\n'),
      ),
    );
    ran = await pinbench(['run', file, '--out', join(root, 'runs'), '--cache', testCacheDir, '--quiet']);
    const [folder] = readdirSync(join(root, 'runs'));
    runDir = join(root, 'runs', folder!);
    report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as RunReport;
  }, 600_000);

  it('behavior: a failed threshold with every built-in check passing exits 99, and the table says which', () => {
    // The one line the run says when it stops (warnings go to stderr even with --quiet).
    expect(ran.stderr).toMatch(/^\[ *[\d.]+s\] warning: threshold `rejected\.signature <= 0` failed mid-run \(measured 1\): stopping the run \(abortOnFail\)\n$/);
    expect(ran.code).toBe(99);
    expect(report.checks.every((c) => c.ok)).toBe(true);
    expect(ran.stdout).toMatch(/^FAIL thresholds: /m);
    expect(ran.stdout).toMatch(/^ {2}threshold +measured +verdict$/m);
    expect(ran.stdout).toMatch(/^ {2}rejected\.signature <= 0 +\d+ +FAIL \(stopped the run\)$/m);
    expect(ran.stdout).toMatch(/^ {2}messages\.unaccounted == 0 +0 +pass$/m);
  });

  it('behavior: the threshold that stopped the run is marked aborted; the others are judged at the end', () => {
    expect(report.thresholds!.map((t) => [t.expression, t.ok, t.aborted])).toEqual([
      ['messages.unaccounted == 0', true, false],
      ['rejected.signature <= 0', false, true],
      ['latency.publishToAccept.p99 < 10min', true, false],
    ]);
    // The report reads the counter at the end: the forged publishes already in flight when it stopped count too.
    const stopped = report.thresholds![1]!;
    expect(stopped).toMatchObject({ metric: 'rejected.signature', expected: '<= 0', abortOnFail: true });
    expect(stopped.measured).toBeGreaterThanOrEqual(1);
    expect(stopped.measuredText).toBe(String(stopped.measured));
    expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toContain(`| \`rejected.signature <= 0\` | ${stopped.measured} | ✘ fail (stopped the run) |`);
  });

  it('behavior: the run stopped in its first epoch, and run.db keeps what was accepted and the rejection that stopped it', () => {
    const db = new Database(join(runDir, 'run.db'), { readonly: true });
    try {
      const epochs = db.prepare('SELECT DISTINCT epoch FROM readings ORDER BY epoch').pluck().all() as number[];
      const accepted = db.prepare('SELECT count(*) FROM readings').pluck().get() as number;
      const signature = db.prepare("SELECT count(*) FROM rejections WHERE reason = 'signature'").pluck().get() as number;
      // Stopped within a simulated second of the first forged reading: nothing of the later epochs was published.
      expect(epochs).toEqual([0]);
      expect(accepted).toBeGreaterThan(0);
      expect(signature).toBeGreaterThanOrEqual(1);
      // The epoch that was open when the run stopped is left open: no batch of it was settled.
      expect(db.prepare('SELECT count(*) FROM batches').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('error: an unknown metric stops the run before anything starts, exit 2, with the close ones', async () => {
    const file = join(root, 'typo.yaml');
    writeFileSync(file, scenario('  - latency.publishToAccept.p90 < 100ms'));
    const typo = await pinbench(['run', file, '--out', join(root, 'typo-runs'), '--cache', testCacheDir, '--quiet']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      `pinbench: ${file}: thresholds: unknown metric latency.publishToAccept.p90; close: latency.publishToAccept.p50, latency.publishToAccept.p95, latency.publishToAccept.p99 (docs/metrics.md lists them all)\n`,
    );
    expect(existsSync(join(root, 'typo-runs'))).toBe(false);
  });
});
