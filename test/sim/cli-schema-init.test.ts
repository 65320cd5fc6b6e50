import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../sim/cli.ts';
import { EXIT } from '../../sim/exit-codes.ts';

/** main() with stdout and stderr captured; the process's own streams stay untouched. */
async function pinbench(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('pinbench schema and pinbench init through main()', () => {
  const startDir = process.cwd();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pinbench-cli-init-'));
    process.chdir(dir);
  });
  afterEach(() => process.chdir(startDir));

  it('behavior: `pinbench schema` prints the JSON Schema (draft 2020-12, titled, described) and exits 0', async () => {
    const ran = await pinbench(['schema']);
    expect(ran.code).toBe(EXIT.pass);
    expect(ran.stderr).toBe('');
    const schema = JSON.parse(ran.stdout) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('pinbench scenario');
    expect(schema.description).toMatch(/docs\/scenarios\.md/);
    expect(Object.keys(schema.properties as object)).toContain('fleet');
  });

  it('behavior: `pinbench schema --help` says how editors use it; an argument is bad input (exit 2)', async () => {
    const help = await pinbench(['schema', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('# yaml-language-server: $schema=./pinbench.schema.json');
    const extra = await pinbench(['schema', 'out.json']);
    expect(extra).toEqual({
      code: EXIT.badInput,
      stdout: '',
      stderr: 'pinbench: pinbench schema takes no arguments, got "out.json"; redirect its output instead: pinbench schema > pinbench.schema.json\n',
    });
  });

  it('behavior: `pinbench init` writes my-scenario.yaml here and exits 0; again, it refuses with one line and exit 2', async () => {
    const first = await pinbench(['init']);
    expect(first.code).toBe(EXIT.pass);
    expect(first.stdout).toMatch(/^wrote my-scenario\.yaml: /);
    const written = readFileSync(join(dir, 'my-scenario.yaml'), 'utf8');
    const again = await pinbench(['init']);
    expect(again).toEqual({
      code: EXIT.badInput,
      stdout: '',
      stderr: 'pinbench: my-scenario.yaml exists already; pinbench init does not overwrite it: give another name (pinbench init <name>) or remove the file\n',
    });
    expect(readFileSync(join(dir, 'my-scenario.yaml'), 'utf8')).toBe(written);
  });

  it('behavior: `pinbench init demo` writes demo.yaml; the top-level help lists init and schema', async () => {
    expect((await pinbench(['init', 'demo'])).code).toBe(EXIT.pass);
    expect(existsSync(join(dir, 'demo.yaml'))).toBe(true);
    const help = await pinbench(['--help']);
    expect(help.stdout).toContain('pinbench init [name]');
    expect(help.stdout).toContain('pinbench schema > pinbench.schema.json');
  });
});
