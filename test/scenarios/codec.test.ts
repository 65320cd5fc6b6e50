import { describe, expect, it } from 'vitest';
import { parseScenario, scenarioJsonSchema } from '../../scenarios/index.ts';

const minimal = { name: 'mini', fleet: [{ count: 3 }], epochs: { lengthS: 10, count: 1 } };

describe('scenario codec', () => {
  it('args: pebble-v2 by default, json when asked', () => {
    expect(parseScenario(minimal, 'mini.yaml').codec).toBe('pebble-v2');
    expect(parseScenario({ ...minimal, codec: 'json' }, 'mini.yaml').codec).toBe('json');
    const schema = scenarioJsonSchema() as { properties: Record<string, { enum?: unknown[]; default?: unknown }> };
    expect(schema.properties.codec).toMatchObject({ enum: ['pebble-v2', 'json'], default: 'pebble-v2' });
  });

  it('error: another codec names the choices', () => {
    expect(() => parseScenario({ ...minimal, codec: 'protobuf' }, 'c.yaml')).toThrow('c.yaml: codec: expected one of: pebble-v2, json, got "protobuf"');
  });
});
