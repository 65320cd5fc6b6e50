import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../scenarios/load.ts';
import { fuzzOptions, valueOrPinbenchError } from './fuzz-support.ts';

const SMOKE = readFileSync(new URL('../../scenarios/smoke.yaml', import.meta.url), 'utf8');
const SMOKE_LINES = SMOKE.split('\n');

/** smoke.yaml with lines dropped, duplicated or cut, or characters overwritten: mostly near-valid scenarios. */
const mutatedSmoke = fc.oneof(
  fc.array(fc.nat({ max: SMOKE_LINES.length - 1 }), { minLength: 1, maxLength: 4 }).map((drop) => SMOKE_LINES.filter((_, i) => !drop.includes(i)).join('\n')),
  fc.tuple(fc.nat({ max: SMOKE_LINES.length - 1 }), fc.nat({ max: SMOKE_LINES.length - 1 })).map(([a, b]) => [...SMOKE_LINES.slice(0, a), SMOKE_LINES[b], ...SMOKE_LINES.slice(a)].join('\n')),
  fc.nat({ max: SMOKE.length }).map((cut) => SMOKE.slice(0, cut)),
  fc.array(fc.tuple(fc.nat({ max: SMOKE.length - 1 }), fc.constantFrom(':', '-', ' ', '\t', '#', '[', '{', '"', "'", '&', '*', '!', '|', '0', '9', 'x')), { minLength: 1, maxLength: 3 }).map((edits) => {
    const chars = [...SMOKE];
    for (const [at, c] of edits) chars[at] = c;
    return chars.join('');
  }),
);

/** YAML documents of any shape (scalars, lists, maps of known and unknown keys). */
const anyYaml = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => stringify(v)),
  fc.dictionary(fc.constantFrom('name', 'seed', 'duration', 'fleet', 'time', 'epochs', 'timeline', 'thresholds', 'codec', 'nmae'), fc.jsonValue({ maxDepth: 2 })).map((v) => stringify(v)),
  fc.string({ maxLength: 60 }),
);

/**
 * Regression (found by this fuzzing): nested aliases, each list holding ten references to the one
 * before, expand to 10^9 values; yaml stops at its alias limit with a bare ReferenceError, which
 * escaped the loader as a crash instead of a scenario error.
 */
const BILLION_LAUGHS = [
  'a0: &a0 [x, x, x, x, x, x, x, x, x, x]',
  ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`),
].join('\n');

describe('fuzz: the scenario loader', () => {
  it('smoke.yaml, the seed of the mutations, is itself a valid scenario', () => {
    expect(parseScenarioText(SMOKE, 'smoke.yaml').name).toBeTypeOf('string');
  });

  it('regression: a billion-laughs document of nested aliases is SCENARIO_INVALID, not a ReferenceError', () => {
    expect(() => parseScenarioText(BILLION_LAUGHS, 'laughs.yaml')).toThrow(
      expect.objectContaining({ code: 'SCENARIO_INVALID', message: expect.stringMatching(/^laughs\.yaml: YAML aliases expand too far \(Excessive alias count .*\); write the repeated values out instead of nesting aliases$/) }),
    );
  });

  it('any document built from anchors and aliases gives a scenario or SCENARIO_INVALID', () => {
    const aliasDoc = fc.array(fc.nat({ max: 12 }), { minLength: 1, maxLength: 6 }).map((fanouts) =>
      ['a0: &a0 [x]', ...fanouts.map((n, i) => `a${i + 1}: &a${i + 1} [${Array(n).fill(`*a${i}`).join(', ')}]`)].join('\n'),
    );
    fc.assert(fc.property(aliasDoc, (text) => void valueOrPinbenchError(() => parseScenarioText(text, 'fuzz.yaml'), ['SCENARIO_INVALID'])), fuzzOptions(100));
  });

  it('any YAML text gives a scenario or SCENARIO_INVALID', () => {
    fc.assert(fc.property(fc.oneof(mutatedSmoke, anyYaml), (text) => void valueOrPinbenchError(() => parseScenarioText(text, 'fuzz.yaml'), ['SCENARIO_INVALID'])), fuzzOptions(300));
  });
});
