/**
 * The keys the scenario's JSON Schema allows in the object at a path, so an unknown key can be
 * answered with the one it was probably meant to be. Walking the JSON Schema rather than the zod
 * schema sees through unions and the fault/adversary entries, whose parameters the JSON Schema
 * lists per profile. Where the schema offers several object shapes (a fleet group or a replay
 * entry, one fault or another), a shape whose constant (`name: flaky-network`) the value
 * contradicts is left out.
 */
type JsonSchema = { readonly [key: string]: unknown };

export function allowedKeys(root: JsonSchema, path: ReadonlyArray<PropertyKey>, value: unknown): string[] {
  let schemas = expand(root, root);
  for (const segment of path) {
    const next: JsonSchema[] = [];
    for (const schema of schemas) {
      const child = typeof segment === 'number' ? itemSchema(schema, segment) : propertySchema(schema, String(segment));
      if (child !== undefined) next.push(...expand(child, root));
    }
    schemas = next;
  }
  const keys = new Set<string>();
  for (const schema of schemas) {
    const properties = schema.properties as Record<string, JsonSchema> | undefined;
    if (properties === undefined || contradicts(properties, value)) continue;
    for (const key of Object.keys(properties)) keys.add(key);
  }
  return [...keys];
}

function propertySchema(schema: JsonSchema, key: string): JsonSchema | undefined {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  return properties !== undefined && Object.hasOwn(properties, key) ? properties[key] : undefined;
}

function itemSchema(schema: JsonSchema, index: number): JsonSchema | undefined {
  const prefix = schema.prefixItems as JsonSchema[] | undefined;
  if (prefix !== undefined) return prefix[index];
  return schema.items as JsonSchema | undefined;
}

/** A schema with its `anyOf`/`oneOf`/`allOf` branches and `$ref`s spread out. */
function expand(schema: JsonSchema, root: JsonSchema, depth = 0): JsonSchema[] {
  if (depth > 20) return [];
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    const target = resolveRef(root, ref);
    return target === undefined ? [] : expand(target, root, depth + 1);
  }
  const branches = [schema.anyOf, schema.oneOf, schema.allOf].flatMap((list) => (Array.isArray(list) ? (list as JsonSchema[]) : []));
  return [schema, ...branches.flatMap((branch) => expand(branch, root, depth + 1))];
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(1).split('/').filter((p) => p !== '')) node = (node as Record<string, unknown> | undefined)?.[part];
  return node as JsonSchema | undefined;
}

function contradicts(properties: Record<string, JsonSchema>, value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(properties).some(([key, schema]) => 'const' in schema && key in value && (value as Record<string, unknown>)[key] !== schema.const);
}
