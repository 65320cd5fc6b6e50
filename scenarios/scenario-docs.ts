/**
 * docs/scenarios.md from the scenario JSON Schema: test/support/scenario-docs.ts writes it
 * (`npm run docs:scenarios`); test/scenarios/scenario-docs.test.ts fails when the file is stale.
 *
 * General on purpose: it knows nothing of particular sections, so a section added to the schema
 * (with descriptions) appears after a regeneration. One section per top-level key; in it the key
 * itself, then a table per object it holds (every shape of a union its own table: a fleet group,
 * a replay entry, each fault).
 */
import { scenarioJsonSchema } from './schema.ts';
import { branchesOf, type JsonSchema } from './schema-fields.ts';

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (value: unknown): string => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

/** `integer`, `list of string`, `[number, number]`, `number or [number, number]`. */
export function typeOf(root: JsonSchema, schema: JsonSchema): string {
  const branches = branchesOf(root, schema);
  if (branches.length > 1) return [...new Set(branches.map((branch) => typeOf(root, branch)))].join(' or ');
  const one = branches[0] ?? schema;
  if ('const' in one) return typeof one.const === 'string' ? 'string' : typeof one.const;
  if (Array.isArray(one.prefixItems)) return `[${(one.prefixItems as JsonSchema[]).map((item) => typeOf(root, item)).join(', ')}]`;
  if (one.type === 'array') return one.items !== undefined && typeof one.items === 'object' ? `list of ${typeOf(root, one.items as JsonSchema)}` : 'list';
  if (typeof one.type === 'string') return one.type;
  if (Array.isArray(one.type)) return (one.type as string[]).join(' or ');
  return 'any';
}

/** Allowed values and bounds: `car`, `walk`; 1 to 100000; > 0; pattern. */
export function valuesOf(root: JsonSchema, schema: JsonSchema): string {
  const parts: string[] = [];
  for (const branch of branchesOf(root, schema)) {
    if (Array.isArray(branch.enum)) parts.push((branch.enum as unknown[]).map(code).join(', '));
    else if ('const' in branch) parts.push(code(branch.const));
    else {
      const low = branch.exclusiveMinimum !== undefined ? `> ${String(branch.exclusiveMinimum)}` : branch.minimum !== undefined ? `≥ ${String(branch.minimum)}` : undefined;
      const max = branch.maximum as number | undefined;
      const high = max !== undefined && max !== Number.MAX_SAFE_INTEGER ? `≤ ${max}` : undefined;
      const bounds = [low, high].filter((b) => b !== undefined).join(', ');
      if (bounds !== '') parts.push(bounds);
      if (typeof branch.pattern === 'string') parts.push(`pattern ${code(branch.pattern)}`);
      if (typeof branch.format === 'string') parts.push(branch.format);
      if (typeof branch.minItems === 'number' && !Array.isArray(branch.prefixItems)) parts.push(`at least ${branch.minItems} item${branch.minItems === 1 ? '' : 's'}`);
    }
  }
  return [...new Set(parts)].join('; ');
}

function defaultOf(schema: JsonSchema, required: boolean): string {
  if ('default' in schema) return code(schema.default);
  return required ? 'required' : '—';
}

interface Row {
  readonly path: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
}

function tableOf(root: JsonSchema, rows: readonly Row[]): string[] {
  return [
    '| field | type | default | values | description |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(({ path, schema, required }) =>
      `| \`${path}\` | ${cell(typeOf(root, schema))} | ${cell(defaultOf(schema, required))} | ${cell(valuesOf(root, schema))} | ${cell(String(schema.description ?? ''))} |`,
    ),
  ];
}

/** The label of one shape of a union: its constant (`name: flaky-network`), else its description. */
function shapeLabel(branch: JsonSchema): string | undefined {
  for (const [key, property] of Object.entries((branch.properties ?? {}) as Record<string, JsonSchema>)) {
    if ('const' in property) return `${key}: ${String(property.const)}`;
  }
  return undefined;
}

/** The tables of the objects under `schema` at `path`, depth first. */
function objectTables(root: JsonSchema, schema: JsonSchema, path: string): string[] {
  const out: string[] = [];
  const branches = branchesOf(root, schema);
  const objects = branches.filter((branch) => branch.properties !== undefined);
  for (const [index, branch] of objects.entries()) {
    const properties = branch.properties as Record<string, JsonSchema>;
    const required = new Set((branch.required as string[] | undefined) ?? []);
    const label = shapeLabel(branch) ?? (objects.length > 1 ? `shape ${index + 1} of ${objects.length}` : branches.length > 1 ? 'as an object' : undefined);
    out.push(`### \`${path}\`${label === undefined ? '' : ` (${label})`}`, '');
    if (typeof branch.description === 'string' && branch.description !== schema.description) out.push(branch.description, '');
    out.push(...tableOf(root, Object.entries(properties).map(([key, property]) => ({ path: `${path}.${key}`, schema: property, required: required.has(key) }))), '');
    for (const [key, property] of Object.entries(properties)) out.push(...objectTables(root, property, `${path}.${key}`));
  }
  for (const branch of branches) {
    if (branch.type === 'array' && branch.items !== undefined && typeof branch.items === 'object' && !Array.isArray(branch.prefixItems)) {
      out.push(...objectTables(root, branch.items as JsonSchema, `${path}[]`));
    }
  }
  return out;
}

export function renderScenarioDocs(schema: JsonSchema = scenarioJsonSchema()): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const sections = Object.entries(properties).flatMap(([key, property]) => [
    `## \`${key}\``,
    '',
    ...(typeof property.description === 'string' ? [property.description, ''] : []),
    ...tableOf(schema, [{ path: key, schema: property, required: required.has(key) }]),
    '',
    ...objectTables(schema, property, key),
  ]);
  return [
    '# Scenario files',
    '',
    '<!-- Generated from the scenario schema (scenarios/schema.ts, via its JSON Schema) by `npm run docs:scenarios`; edit the schema\'s descriptions, not this file. -->',
    '',
    String(schema.description ?? ''),
    '',
    'Start one with `pinbench init [name]`, which writes a commented starter scenario. For completion',
    'and checks in an editor, write the JSON Schema beside your scenarios with',
    '`pinbench schema > pinbench.schema.json` and begin each scenario file with',
    '`# yaml-language-server: $schema=./pinbench.schema.json`.',
    '',
    'Paths: `fleet[]` is an entry of the `fleet` list, `fleet[].faults[]` a fault of one. A field',
    'whose default is "—" is optional and has none (it is then not used); "required" must be given.',
    'Where an entry may take several shapes (a fleet group or a replay entry; each fault and adversary',
    'by its `name`), each shape has its own table. Faults and adversaries may also be given by name',
    'alone (`faults: [flaky-network]`), with every parameter at its default.',
    '',
    `Sections: ${Object.keys(properties).map((key) => `[\`${key}\`](#${key.toLowerCase()})`).join(', ')}.`,
    '',
    ...sections,
  ].join('\n').replace(/\n{3,}/g, '\n\n').replace(/\n*$/, '\n');
}
