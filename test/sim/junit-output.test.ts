import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/index.ts';
import { junitOutput } from '../../sim/suite/junit-output.ts';

describe('--junit for a single run', () => {
  it('error: a scenario refused before anything starts still leaves a JUnit file whose one test case holds the error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-junit-'));
    const path = join(dir, 'reports', 'run.xml');
    await expect(runScenario({ name: 'bad', seed: 1, fleet: [{ count: 0 }] } as never, { outDir: dir, outputs: [junitOutput(path, 'scenarios/bad.yaml')] })).rejects.toThrow(/fleet/);
    const xml = readFileSync(path, 'utf8');
    expect(xml).toMatch(/<testsuite name="bad" tests="1" failures="0" errors="1" skipped="0"/);
    expect(xml).toMatch(/<testcase name="run" classname="pinbench\.bad" time="\d+\.\d{3}">\s*<error message="scenario: fleet\[0\]\.count: expected a positive integer, got 0" type="SCENARIO_INVALID">/);
  });
});
