import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../scenarios/index.ts';
import { resumeRun } from '../../sim/run/resume.ts';
import { MIN_FREE_BYTES } from '../../sim/run/disk-space.ts';
import { testCacheDir } from '../support/cache.ts';
import { auditRunChain } from '../support/chain-audit.ts';

/**
 * A run whose folder's filesystem fills up (a real 128 MiB tmpfs, filled by another file as a
 * neighbour on the disk would): it stops with one DISK_FULL line while anvil and run.db still
 * have room, keeps what it had committed, and `pinbench resume` finishes it once space is freed.
 */
const SCENARIO = `
name: disk-full
seed: 5
fleet:
  - { count: 8, motion: car, uploadPeriodS: 2 }
epochs: { lengthS: 8, count: 3 }
circuit: { batchSize: 4, readingsPerDevice: 8 }
`;

const mountPoint = mkdtempSync(join(tmpdir(), 'pinbench-disk-full-'));
// Mounting needs root (CAP_SYS_ADMIN); CI runs .ci/run as root.
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=128m', 'tmpfs', mountPoint]).status === 0;
afterAll(() => {
  if (mounted) spawnSync('umount', [mountPoint]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const free = () => {
  const s = statfsSync(mountPoint);
  return s.bavail * s.bsize;
};

describe.skipIf(!mounted)('integration: the run folder\'s disk fills up mid-run (needs root to mount a tmpfs)', () => {
  it('behavior: the run stops with DISK_FULL, keeping run.db and the chain\'s state whole; resume finishes it after space is freed', async () => {
    const outDir = join(mountPoint, 'runs');
    const file = join(mountPoint, 'disk-full.yaml');
    writeFileSync(file, SCENARIO);
    const child = spawn(process.execPath, ['bin/pinbench.js', 'run', file, '--out', outDir, '--cache', testCacheDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => void (output += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => void (output += c));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    // Once epoch 0 is closed, a neighbour takes the disk down to 24 MiB free.
    const filler = join(mountPoint, 'filler.bin');
    for (let waited = 0; !output.includes('epoch 0 closed'); waited += 100) {
      if (waited > 120_000) throw new Error(`epoch 0 did not close:\n${output}`);
      await sleep(100);
    }
    writeFileSync(filler, Buffer.alloc(free() - 24 * 1024 * 1024));
    expect(free()).toBeLessThan(MIN_FREE_BYTES);
    expect(await exit).toBe(1);

    const runDir = join(outDir, readdirSync(outDir).find((n) => n.endsWith('-disk-full'))!);
    expect(output).toContain(`pinbench: the filesystem of ${runDir} is down to `);
    expect(output).toMatch(/is down to \d+ MiB free \(a run keeps 64 MiB\): the run stopped to keep what it has \(run\.db, the chain's state, the proofs\); free space, then `pinbench resume .*-disk-full` finishes it\n/);
    expect(existsSync(join(runDir, 'report.json'))).toBe(false);
    // What was committed is whole: run.db passes SQLite's own check, the chain's state parses.
    const db = new Database(join(runDir, 'run.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n).toBeGreaterThan(0);
    db.close();
    expect(() => JSON.parse(readFileSync(join(runDir, 'chain-state.json'), 'utf8'))).not.toThrow();

    rmSync(filler);
    const resumed = await resumeRun(runDir, { cacheDir: testCacheDir });
    expect(resumed.outcome?.exitCode).toBe(0);
    const audit = await auditRunChain(runDir, parseScenarioText(SCENARIO, 'disk-full.yaml'));
    expect(audit.jobs.length).toBeGreaterThan(0);
    expect({ unsettled: audit.unsettled, settledEvents: audit.settledEvents, accrued: audit.accrued, balances: audit.balances, recorded: audit.recorded }).toEqual({ unsettled: [], settledEvents: [], accrued: [], balances: [], recorded: [] });
  }, 300_000);
});
