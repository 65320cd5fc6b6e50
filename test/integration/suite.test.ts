import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import type { RunReport } from '../../reports/types.ts';
import { testCacheDir } from '../support/cache.ts';
import { runPinbench, tinyScenario, type Ran } from '../support/pinbench-cli.ts';
import { parseJUnit, requireXmllint, validateJUnit, type ParsedJUnit } from '../suite/junit-tools.ts';

const tiny = (name: string, seed: number) => tinyScenario(name, seed);

const SETTLEMENT_ABI = ['function isSettled(uint256 epoch, uint256 batch) view returns (bool)', 'function token() view returns (address)'];
const TOKEN_ABI = ['function totalSupply() view returns (uint256)'];

/** `pinbench test` as a user runs it: its own process, its own exit code. */
const pinbenchTest = (args: string[]): Promise<Ran> => runPinbench(['test', ...args]);

describe('integration: `pinbench test` runs a folder on one chain and writes JUnit and a summary', () => {
  const root = mkdtempSync(join(tmpdir(), 'pinbench-suite-'));
  const suiteDir = join(root, 'suite');
  const outDir = join(root, 'runs');
  const junitPath = join(root, 'out', 'junit.xml');
  const summaryPath = join(root, 'out', 'summary.md');
  let ran: Ran;
  let junit: ParsedJUnit;
  let reports: RunReport[];
  let replayed: AnvilNode | undefined;

  beforeAll(async () => {
    requireXmllint();
    mkdirSync(suiteDir);
    writeFileSync(join(suiteDir, 'a-first.yaml'), tiny('suite-first', 11));
    // A bad scenario file: an error of that scenario, and the suite goes on.
    writeFileSync(join(suiteDir, 'b-bad.yaml'), 'name: suite-bad\nfleet: [{ count: -5 }]\nepochs: { lengthS: 12, count: 1 }\n');
    writeFileSync(join(suiteDir, 'c-second.yml'), tiny('suite-second', 12));
    writeFileSync(join(suiteDir, 'notes.md'), 'not a scenario\n');
    ran = await pinbenchTest([suiteDir, '--junit', junitPath, '--summary', summaryPath, '--out', outDir, '--cache', testCacheDir, '--quiet']);
    junit = parseJUnit(readFileSync(junitPath, 'utf8'));
    reports = readdirSync(outDir)
      .filter((name) => existsSync(join(outDir, name, 'report.json')))
      .sort()
      .map((name) => JSON.parse(readFileSync(join(outDir, name, 'report.json'), 'utf8')) as RunReport);
  }, 900_000); // a first run on a machine sets up the circuit (minutes)

  afterAll(async () => {
    await replayed?.stop();
  });

  it('behavior: exit code 1 (a scenario errored); a line as each scenario starts and ends, then the table', () => {
    expect(ran.stderr).not.toMatch(/unexpected failure/);
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    const lines = ran.stdout.trim().split('\n');
    expect(lines.slice(0, 6).map((l) => l.replace(/\(\d+\.\d s\).*$/, '(T)'))).toEqual([
      `[1/3] START ${join(suiteDir, 'a-first.yaml')}`,
      '[1/3] PASS  suite-first (T)',
      `[2/3] START ${join(suiteDir, 'b-bad.yaml')}`,
      '[2/3] ERROR b-bad (T)',
      `[3/3] START ${join(suiteDir, 'c-second.yml')}`,
      '[3/3] PASS  suite-second (T)',
    ]);
    expect(lines[3]).toContain("b-bad.yaml:2:18: fleet[0].count: expected a positive integer, got -5");
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL suite: 2 passed, 0 failed, 1 errored, 0 skipped \(\d+\.\d s\)$/));
    expect(lines.slice(-2)).toEqual([`junit: ${junitPath}`, `summary: ${summaryPath}`]);
  });

  it('behavior: the JUnit file validates against the schema (xmllint)', () => {
    const verdict = validateJUnit(junitPath);
    expect(verdict.output).toMatch(/validates$/);
    expect(verdict.ok).toBe(true);
  });

  it('behavior: the JUnit file, parsed back, has one testsuite per scenario with a testcase per check, and the error', () => {
    const suites = junit.testsuites.testsuite;
    expect(suites.map((s) => [s.name, s.file, s.failures, s.errors, s.skipped])).toEqual([
      ['suite-first', join(suiteDir, 'a-first.yaml'), '0', '0', '0'],
      ['b-bad', join(suiteDir, 'b-bad.yaml'), '0', '1', '0'],
      ['suite-second', join(suiteDir, 'c-second.yml'), '0', '0', '0'],
    ]);
    const [first, bad, second] = suites;
    for (const [suite, report] of [[first!, reports[0]!], [second!, reports[1]!]] as const) {
      expect(suite.testcase.map((c) => [c.classname, c.name, c.failure])).toEqual(report.checks.map((check) => [`pinbench.${report.scenario.name}.checks`, check.name, undefined]));
      expect(Number(suite.tests)).toBe(report.checks.length + (report.thresholds ?? []).length);
      expect(Number(suite.time)).toBeGreaterThan(0);
    }
    expect(bad!.testcase).toHaveLength(1);
    expect(bad!.testcase[0]!.error!.type).toBe('SCENARIO_INVALID');
    expect(bad!.testcase[0]!.error!.message).toBe(`${join(suiteDir, 'b-bad.yaml')}:2:18: fleet[0].count: expected a positive integer, got -5`);
    const checks = reports[0]!.checks.length + reports[1]!.checks.length;
    expect([junit.testsuites.tests, junit.testsuites.failures, junit.testsuites.errors]).toEqual([String(checks + 1), '0', '1']);
  });

  it('behavior: the summary opens on the verdict, lists the errored scenario first and links each run\'s report.md', () => {
    const md = readFileSync(summaryPath, 'utf8');
    const lines = md.split('\n');
    expect(lines[0]).toMatch(/^## ❌ pinbench suite failed: 2 passed, 0 failed, 1 errored, 0 skipped \(3 scenarios, \d+\.\d s\)$/);
    // The overview: the table under the headline, up to the first blank line.
    const rows = lines.slice(4, lines.indexOf('', 2));
    expect(rows.map((r) => r.split(' | ')[1])).toEqual(['b-bad', 'suite-first', 'suite-second']);
    for (const report of reports) {
      const link = `../runs/${report.runDir.split('/').pop()}/report.md`;
      expect(md).toContain(`[report.md](${link})`);
      expect(existsSync(join(root, 'out', link))).toBe(true);
    }
  });

  it('behavior: both runs settled on the one chain — same RPC URL, their own contracts; read back over RPC from the suite\'s saved chain state', async () => {
    expect(reports.map((r) => [r.scenario.name, r.ok, r.chain.embedded])).toEqual([['suite-first', true, false], ['suite-second', true, false]]);
    expect(reports[0]!.chain.rpcUrl).toBe(reports[1]!.chain.rpcUrl);
    expect(reports[0]!.chain.contracts.settlement).not.toBe(reports[1]!.chain.contracts.settlement);
    const statePaths = readdirSync(outDir).filter((name) => name.endsWith('-suite-chain-state.json'));
    expect(statePaths).toHaveLength(1);
    // The suite's anvil is gone; its state, saved at exit, brings the same chain back.
    replayed = await startAnvil({ logger: silentLogger, statePath: join(outDir, statePaths[0]!) });
    const provider = new JsonRpcProvider(replayed.rpcUrl, undefined, { cacheTimeout: -1 });
    try {
      for (const report of reports) {
        const settlement = new Contract(report.chain.contracts.settlement, SETTLEMENT_ABI, provider);
        expect(await provider.getCode(report.chain.contracts.settlement)).not.toBe('0x');
        const db = new Database(join(report.runDir, 'run.db'), { readonly: true });
        const batches = db.prepare("SELECT epoch, batch FROM batches WHERE status = 'settled'").all() as Array<{ epoch: number; batch: number }>;
        db.close();
        expect(batches.length, report.scenario.name).toBeGreaterThan(0);
        for (const { epoch, batch } of batches) expect(await settlement.getFunction('isSettled')(epoch, batch), `${report.scenario.name} ${epoch}/${batch}`).toBe(true);
        // What accrued was claimed: the run's own token minted exactly the run's rewards.
        const token = new Contract(report.chain.contracts.token, TOKEN_ABI, provider);
        expect(await token.getFunction('totalSupply')()).toBe(BigInt(report.rewards.totalWei));
        expect(BigInt(report.rewards.totalWei)).toBeGreaterThan(0n);
      }
    } finally {
      provider.destroy();
    }
  });
});

describe('integration: `pinbench test` with nothing to run', () => {
  it('error: a folder without scenarios is bad input: exit code 2 and one line saying so', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pinbench-suite-empty-'));
    writeFileSync(join(empty, 'README.md'), 'no scenarios here\n');
    const ran = await pinbenchTest([empty, '--junit', join(empty, 'junit.xml')]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(`pinbench: ${empty}: no scenario files (*.yaml, *.yml) in this folder; subfolders are not searched\n`);
    expect(existsSync(join(empty, 'junit.xml'))).toBe(false);
  });
});
