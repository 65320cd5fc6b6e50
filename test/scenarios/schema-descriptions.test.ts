import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../scenarios/index.ts';
import { schemaFields } from '../../scenarios/schema-fields.ts';

describe('the scenario JSON Schema documents every field', () => {
  const schema = scenarioJsonSchema();
  const fields = schemaFields(schema);

  it('behavior: every property at every depth has a description (the list names those that lack one)', () => {
    expect(fields.length).toBeGreaterThan(80);
    const undescribed = fields.filter((field) => typeof field.schema.description !== 'string' || field.schema.description.trim() === '');
    expect(undescribed.map((field) => `${field.path}${field.variant === undefined ? '' : ` (${field.variant})`}`)).toEqual([]);
  });

  it('behavior: the schema itself is titled and described, and the defaults a file may leave out show', () => {
    expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'pinbench scenario' });
    const defaultOf = (path: string, variant?: string) => fields.find((f) => f.path === path && f.variant === variant)?.schema.default;
    expect(defaultOf('seed')).toBe(1);
    expect(defaultOf('fleet[].motion')).toBe('car');
    expect(defaultOf('fleet[].faults')).toEqual([]);
    expect(defaultOf('fleet[].faults[].disconnectsPerHour', 'name: flaky-network')).toBe(6);
    expect(defaultOf('fleet[].adversary.clones', 'name: sybil')).toBe(5);
    expect(defaultOf('reward.rewardPerUnitWei')).toBe('1000000000000');
    expect(defaultOf('time.mode')).toBe('realtime');
    expect(defaultOf('circuit.batchSize')).toBe(32);
    expect(defaultOf('topics.data')).toBeUndefined();
  });
});
