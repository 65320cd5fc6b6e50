import { describe, expect, it } from 'vitest';
import { withParamSet } from '../../sim/run/run-policy.ts';
import { parseScenario } from '../../scenarios/load.ts';
import { runPinbench, tinyScenario } from '../support/pinbench-cli.ts';
import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = parseScenario({ name: 'p', seed: 1, fleet: [{ count: 4 }], epochs: { lengthS: 86_400, count: 30 } }, 's.yaml');
const TOKENS = 10n ** 18n;

describe('pinbench run --params', () => {
  it('behavior: a set\'s label is applied to the scenario\'s policy, amounts in tokens', () => {
    const set = withParamSet(base, 'emission=1000,cap=5000,minSamples=2');
    expect(set.policy.emission).toEqual({ kind: 'constant', perEpochWei: 1000n * TOKENS });
    expect(set.policy.capUnits).toBe(5000n);
    expect(set.policy.minSamples).toBe(2);
    expect(base.policy.capUnits).toBeUndefined();
  });

  it('error: an unknown parameter, a value out of range, a bad pair and a repeat are refused, naming --params', () => {
    expect(() => withParamSet(base, 'capp=50')).toThrow('--params capp: no policy parameter is named capp; did you mean cap?');
    expect(() => withParamSet(base, 'cap=-1')).toThrow(/^--params cap: /);
    expect(() => withParamSet(base, 'cap')).toThrow('--params: "cap" is not name=value; give each parameter as name=value, such as cap=50');
    expect(() => withParamSet(base, 'cap=5,cap=6')).toThrow('--params: cap is given twice; give each parameter once');
    expect(() => withParamSet(base, ' , ')).toThrow('--params: expected name=value pairs joined by commas, such as cap=50,emission=1000 (a set\'s label in sweep.csv); got " , "');
  });

  it('error: a set whose emission over the scenario\'s epochs passes the token\'s supply is refused', () => {
    expect(() => withParamSet(base, 'emission=40000000')).toThrow(
      'policy.emission: 30 epochs × 40000000000000000000000000 wei = 1200000000000000000000000000 wei (1200000000 tokens) exceeds maxSupplyWei 1000000000000000000000000000 wei (1000000000 tokens); lower emission.perEpochWei, the epochs, or raise maxSupplyWei',
    );
  });

  it('error: the CLI refuses a bad set before a run folder, chain or circuit exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-params-'));
    writeFileSync(join(dir, 'tiny.yaml'), tinyScenario('tiny', 3));
    const ran = await runPinbench(['run', join(dir, 'tiny.yaml'), '--params', 'emision=5', '--out', join(dir, 'runs'), '--no-live']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('--params emision: no policy parameter is named emision; did you mean emission?');
    expect(() => readdirSync(join(dir, 'runs'))).toThrow();
  });
});
