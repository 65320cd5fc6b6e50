import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('library entry', () => {
  it("behavior: `import { runScenario } from 'pinbench'` works from plain Node", () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('pinbench'); console.log(typeof m.runScenario, typeof m.PinbenchError, Object.keys(m.REJECTION_REASONS).length > 0)"],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('function function true');
  });
});
