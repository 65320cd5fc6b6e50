import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTestArgs, TEST_USAGE } from '../../sim/cli/test-command.ts';
import { USAGE } from '../../sim/cli/args.ts';

const suiteDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-test-args-'));
  writeFileSync(join(dir, 'a.yaml'), 'name: a\n');
  return dir;
};

describe('pinbench test: arguments', () => {
  it('behavior: a folder and the options; defaults runs/ and no files written', () => {
    const dir = suiteDir();
    expect(parseTestArgs([dir, '--junit', 'out/junit.xml', '--summary', 'out/summary.md', '--fail-fast', '--out', 'o', '--cache', 'c', '--quiet'])).toEqual({
      command: 'test', files: [join(dir, 'a.yaml')], junit: 'out/junit.xml', summary: 'out/summary.md', failFast: true, outDir: 'o', cacheDir: 'c', quiet: true,
    });
    expect(parseTestArgs([dir])).toEqual({ command: 'test', files: [join(dir, 'a.yaml')], failFast: false, outDir: 'runs', quiet: false });
  });

  it('behavior: --help, and the top-level help names the command', () => {
    expect(parseTestArgs(['--help'])).toEqual({ help: TEST_USAGE });
    expect(USAGE).toContain('pinbench test <folder|scenario.yaml…> [--junit <out.xml>] [--summary <out.md>] [--fail-fast]');
  });

  it('error: an unknown option, a missing value, no scenarios, one file for both outputs', () => {
    const dir = suiteDir();
    expect(() => parseTestArgs([dir, '--junt', 'x'])).toThrow("Unknown option '--junt'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--junt\"; see `pinbench test --help`");
    expect(() => parseTestArgs([dir, '--junit'])).toThrow("Option '--junit <value>' argument missing; see `pinbench test --help`");
    expect(() => parseTestArgs([])).toThrow('give a folder of scenarios or scenario files: `pinbench test scenarios/ci-suite`');
    expect(() => parseTestArgs([dir, '--junit', 'r.xml', '--summary', './r.xml'])).toThrow('options --junit and --summary name the same file (r.xml); give each its own');
    expect(() => parseTestArgs([dir, '--out', ''])).toThrow('option --out: expected a path, got an empty string');
  });

  it('error: bad arguments are CLI_ARGS_INVALID, which the CLI turns into exit code 2', () => {
    try {
      parseTestArgs(['/nonexistent/suite']);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('CLI_ARGS_INVALID');
    }
  });
});
