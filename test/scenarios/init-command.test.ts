import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPinbenchError } from '../../core/errors.ts';
import { loadScenarioFile } from '../../scenarios/index.ts';
import { DEFAULT_INIT_NAME, parseInitArgs, runInitCommand } from '../../sim/cli/init-command.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'pinbench-init-'));

function init(argv: string[], cwd: string): { code: number; lines: string[] } {
  const lines: string[] = [];
  const command = parseInitArgs(argv);
  if ('help' in command) throw new Error('unexpected help');
  return { code: runInitCommand(command, { cwd, stdout: (line) => void lines.push(line) }), lines };
}

describe('pinbench init', () => {
  it('behavior: writes a starter scenario that loads, with a small fleet of groups, epochs, reward and accelerated time', () => {
    const dir = tempDir();
    expect(init(['demo'], dir)).toEqual({
      code: 0,
      lines: ['wrote demo.yaml: run it with `pinbench run demo.yaml`; fields in docs/scenarios.md, editor schema: `pinbench schema > pinbench.schema.json`'],
    });
    const scenario = loadScenarioFile(join(dir, 'demo.yaml'));
    expect(scenario.name).toBe('demo');
    expect(scenario.fleet.length).toBeGreaterThanOrEqual(2);
    expect(scenario.time.mode).toBe('accelerated');
    expect(scenario.epochs).toEqual({ lengthS: 12, count: 2 });
    expect(scenario.reward.rewardPerUnitWei).toBe(1_000_000_000_000n);
    expect(scenario.circuit).toEqual({ batchSize: 4, readingsPerDevice: 8 });
  });

  it('behavior: the file keeps its comments: the yaml-language-server line, and one before every section', () => {
    const dir = tempDir();
    init([], dir);
    const lines = readFileSync(join(dir, `${DEFAULT_INIT_NAME}.yaml`), 'utf8').split('\n');
    expect(lines[0]).toBe('# yaml-language-server: $schema=./pinbench.schema.json');
    expect(lines.join('\n')).toContain('pinbench schema > pinbench.schema.json');
    expect(lines.join('\n')).toContain('docs/scenarios.md');
    const sections = lines.flatMap((line, i) => (/^[a-z]+:/.test(line) ? [i] : []));
    expect(sections.length).toBeGreaterThanOrEqual(8);
    for (const i of sections) {
      const section = lines[i]!;
      // A section starts right after a comment, or right after another top-level key (name, description, …).
      const before = lines[i - 1]!;
      expect(before.startsWith('#') || /^[a-z]+:/.test(before), `no comment before ${section}`).toBe(true);
    }
    for (const key of ['fleet:', 'epochs:', 'reward:', 'time:', 'circuit:']) {
      expect(lines[lines.indexOf(key) - 1], key).toMatch(/^# /);
    }
  });

  it('error: an existing file is not overwritten; the name must be a scenario name', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'taken.yaml'), 'mine\n');
    const refused = (() => {
      try {
        init(['taken.yaml'], dir);
      } catch (error) {
        if (isPinbenchError(error)) return error;
      }
      throw new Error('no error');
    })();
    expect(refused.code).toBe('CLI_ARGS_INVALID');
    expect(refused.message).toBe('taken.yaml exists already; pinbench init does not overwrite it: give another name (pinbench init <name>) or remove the file');
    expect(readFileSync(join(dir, 'taken.yaml'), 'utf8')).toBe('mine\n');
    expect(() => parseInitArgs(['My Scenario'])).toThrow('pinbench init: expected a name of lower-case letters, digits and dashes (it names the scenario and its file), got "My Scenario"');
    expect(() => parseInitArgs(['a', 'b'])).toThrow('pinbench init takes one name, got 2: a b');
    expect(existsSync(join(dir, `${DEFAULT_INIT_NAME}.yaml`))).toBe(false);
  });
});
