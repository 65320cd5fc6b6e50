import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testCacheDir } from '../support/cache.ts';
import { parseJUnit, requireXmllint, validateJUnit } from '../suite/junit-tools.ts';

/** A scenario in real time, long enough to be stopped in the middle: 2 trackers, one 10-minute epoch. */
const LONG = `name: suite-long
seed: 5
fleet:
  - { count: 2, motion: walk, uploadPeriodS: 5 }
epochs: { lengthS: 600, count: 1 }
circuit: { batchSize: 4, readingsPerDevice: 8 }
`;

describe('integration: Ctrl-C stops `pinbench test` as it stops `pinbench run`, and the suite writes what it has', () => {
  const root = mkdtempSync(join(tmpdir(), 'pinbench-suite-int-'));
  const suiteDir = join(root, 'suite');
  const outDir = join(root, 'runs');
  const junitPath = join(root, 'junit.xml');
  const summaryPath = join(root, 'summary.md');
  let code: number | null;
  let stdout = '';

  beforeAll(async () => {
    requireXmllint();
    mkdirSync(suiteDir);
    writeFileSync(join(suiteDir, 'a-long.yaml'), LONG);
    writeFileSync(join(suiteDir, 'b-never.yaml'), LONG.replace('suite-long', 'suite-never'));
    const child = spawn(process.execPath, ['bin/pinbench.js', 'test', suiteDir, '--junit', junitPath, '--summary', summaryPath, '--out', outDir, '--cache', testCacheDir, '--quiet'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // SIGINT once the first run is under way: its run.db is being written.
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    const poll = setInterval(() => {
      const runDir = existsSync(outDir) ? readdirSync(outDir).find((name) => name.endsWith('-suite-long')) : undefined;
      if (runDir !== undefined && existsSync(join(outDir, runDir, 'run.db-wal'))) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 200);
    code = await exited;
    clearInterval(poll);
  }, 900_000); // a first run on a machine sets up the circuit (minutes) before it can stop

  it('behavior: exit code 130, the running scenario stopped, the next one skipped', () => {
    expect(code, stdout).toBe(130);
    expect(stdout).toMatch(/\[1\/2\] STOP {2}suite-long \(\d+\.\d s\): run interrupted; every reading accepted so far is kept in .*run\.db\n/);
    expect(stdout).toContain(`[2/2] SKIP  ${join(suiteDir, 'b-never.yaml')}: interrupted before it started`);
    expect(stdout).toMatch(/^INTERRUPTED suite: 0 passed, 0 failed, 0 errored, 1 interrupted, 1 skipped/m);
  });

  it('behavior: the JUnit file (valid) holds the interruption as an error and the skipped scenario; the summary says interrupted', () => {
    expect(validateJUnit(junitPath).ok).toBe(true);
    const suites = parseJUnit(readFileSync(junitPath, 'utf8')).testsuites.testsuite;
    expect(suites.map((s) => [s.name, s.errors, s.skipped, s.testcase[0]!.error?.type, s.testcase[0]!.skipped])).toEqual([
      ['suite-long', '1', '0', 'RUN_INTERRUPTED', undefined],
      ['suite-never', '0', '1', undefined, { message: 'interrupted before it started' }],
    ]);
    expect(readFileSync(summaryPath, 'utf8').split('\n')[0]).toMatch(/^## ❌ pinbench suite interrupted: /);
  });

  it("behavior: the suite's chain state is saved in the out folder, as at the end of a whole suite", () => {
    expect(readdirSync(outDir).filter((name) => name.endsWith('-suite-chain-state.json'))).toHaveLength(1);
  });
});
