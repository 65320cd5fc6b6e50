import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderScenarioDocs } from '../../scenarios/scenario-docs.ts';
import { SCENARIO_DOCS_FILE } from '../support/scenario-docs.ts';

describe('docs/scenarios.md', () => {
  it('behavior: is what the scenario schema generates (stale: run `npm run docs:scenarios`)', () => {
    const fresh = readFileSync(SCENARIO_DOCS_FILE, 'utf8') === renderScenarioDocs();
    expect(fresh, 'docs/scenarios.md is stale: run `npm run docs:scenarios` and commit it').toBe(true);
  });

  it('behavior: one section per top-level key, a table per object, with type, default, values and description', () => {
    const md = renderScenarioDocs();
    for (const key of ['name', 'fleet', 'epochs', 'reward', 'time', 'circuit']) expect(md).toContain(`\n## \`${key}\`\n`);
    expect(md).toContain('| `fleet[].motion` | string | `car` | `stationary`, `walk`, `bike`, `car` | How the devices move');
    expect(md).toContain('| `epochs.count` | integer | required | ≥ 1, ≤ 10000 | How many epochs the run lasts. |');
    expect(md).toContain('### `fleet[].faults[]` (name: flaky-network)');
  });

  it('behavior: the generator knows no particular section: a new one in the schema gets its section and tables', () => {
    const schema = {
      description: 'A made-up scenario schema.',
      type: 'object',
      properties: {
        thresholds: {
          description: 'Pass/fail limits.',
          type: 'array',
          items: {
            type: 'object',
            properties: {
              metric: { type: 'string', enum: ['latency', 'loss'], description: 'What is measured.' },
              max: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'The limit; a | in text is escaped.' },
            },
            required: ['metric'],
          },
        },
      },
    };
    const md = renderScenarioDocs(schema);
    expect(md).toContain('## `thresholds`\n\nPass/fail limits.\n');
    expect(md).toContain('| `thresholds` | list of object | — | ');
    expect(md).toContain('### `thresholds[]`');
    expect(md).toContain('| `thresholds[].metric` | string | required | `latency`, `loss` | What is measured. |');
    expect(md).toContain('| `thresholds[].max` | number | `1` | > 0 | The limit; a \\| in text is escaped. |');
  });
});
