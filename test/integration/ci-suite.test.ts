import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testCacheDir } from '../support/cache.ts';
import { runPinbench } from '../support/pinbench-cli.ts';
import { parseJUnit, requireXmllint, validateJUnit, type ParsedJUnit } from '../suite/junit-tools.ts';

/**
 * The ready suite in scenarios/ci-suite, as README's CI job runs it: every scenario passes its
 * checks and thresholds except the one built to fail (09-red-budget), so the suite exits 99.
 */
describe('integration: scenarios/ci-suite runs green except its one expected red', () => {
  const root = mkdtempSync(join(tmpdir(), 'pinbench-ci-suite-'));
  const junitPath = join(root, 'junit.xml');
  let code: number | null;
  let stdout = '';
  let junit: ParsedJUnit;

  beforeAll(async () => {
    requireXmllint();
    ({ code, stdout } = await runPinbench(['test', 'scenarios/ci-suite', '--junit', junitPath, '--out', join(root, 'runs'), '--cache', testCacheDir, '--quiet']));
    junit = parseJUnit(readFileSync(junitPath, 'utf8'));
  }, 900_000);

  it('behavior: exit 99 with one failed threshold, in ci-red-budget, and every other check and threshold passed', () => {
    expect(code, stdout).toBe(99);
    expect(validateJUnit(junitPath).ok).toBe(true);
    const failed = junit.testsuites.testsuite.flatMap((suite) => suite.testcase.filter((c) => c.failure !== undefined || c.error !== undefined).map((c) => `${suite.name}: ${c.name}`));
    expect(failed).toEqual(['ci-red-budget: latency.publishToAccept.p99 < 0.001ms']);
    expect(junit.testsuites.testsuite.map((s) => s.name)).toContain('ci-pipeline');
  });
});
