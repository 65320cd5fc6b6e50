import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testCacheDir } from '../support/cache.ts';
import { runPinbench, tinyScenario } from '../support/pinbench-cli.ts';
import { parseJUnit, requireXmllint, validateJUnit, type ParsedJUnit } from '../suite/junit-tools.ts';

const tiny = (name: string, seed: number, thresholds: string[]) => tinyScenario(name, seed, `thresholds:\n${thresholds.map((t) => `  - "${t}"`).join('\n')}\n`);

describe('integration: a suite whose only failure is a threshold exits 99, and its JUnit file holds exactly that failure', () => {
  const root = mkdtempSync(join(tmpdir(), 'pinbench-suite-thresholds-'));
  const suiteDir = join(root, 'suite');
  const junitPath = join(root, 'junit.xml');
  let code: number | null;
  let stdout = '';
  let junit: ParsedJUnit;

  beforeAll(async () => {
    requireXmllint();
    mkdirSync(suiteDir);
    writeFileSync(join(suiteDir, 'a-green.yaml'), tiny('green', 21, ['messages.unaccounted == 0', 'gas.perDeviceEpoch <= 1000000']));
    // Built to fail one threshold: four trackers over 12 s accept far more than one reading.
    writeFileSync(join(suiteDir, 'b-red.yaml'), tiny('red', 22, ['messages.unaccounted == 0', 'messages.accepted < 1']));
    ({ code, stdout } = await runPinbench(['test', suiteDir, '--junit', junitPath, '--out', join(root, 'runs'), '--cache', testCacheDir, '--quiet']));
    junit = parseJUnit(readFileSync(junitPath, 'utf8'));
  }, 900_000);

  it('behavior: exit 99, and the red scenario\'s line names the threshold with measured and expected', () => {
    expect(code, stdout).toBe(99);
    expect(stdout).toMatch(/^\[2\/2\] FAIL  red \(\d+\.\d s\): threshold failed: messages\.accepted < 1: measured \d+, expected < 1; /m);
  });

  it('behavior: the JUnit file validates and holds exactly one failure, of type threshold, on that testcase', () => {
    expect(validateJUnit(junitPath).ok).toBe(true);
    const failures = junit.testsuites.testsuite.flatMap((suite) => suite.testcase.filter((c) => c.failure !== undefined).map((c) => ({ suite: suite.name, ...c })));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ suite: 'red', classname: 'pinbench.red.thresholds', name: 'messages.accepted < 1' });
    expect(failures[0]!.failure!.type).toBe('threshold');
    expect(failures[0]!.failure!.message).toMatch(/^measured \d+, expected messages\.accepted < 1$/);
    const [green, red] = junit.testsuites.testsuite;
    expect(green!.testcase.filter((c) => c.classname === 'pinbench.green.thresholds').map((c) => c.name)).toEqual(['messages.unaccounted == 0', 'gas.perDeviceEpoch <= 1000000']);
    expect([green!.failures, red!.failures, junit.testsuites.failures]).toEqual(['0', '1', '1']);
  });
});
