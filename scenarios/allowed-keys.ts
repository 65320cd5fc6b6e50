import { branchesOf, type JsonSchema } from './schema-fields.ts';

/**
 * The keys the scenario's JSON Schema allows in the object at a path, so an unknown key can be
 * answered with the one it was probably meant to be. Walking the JSON Schema rather than the zod
 * schema sees through unions and the fault/adversary entries, whose parameters the JSON Schema
 * lists per profile. Where the schema offers several object shapes (a fleet group or a replay
 * entry, one fault or another), a shape whose constant (`name: flaky-network`) the value
 * contradicts is left out.
 */
export function allowedKeys(root: JsonSchema, path: ReadonlyArray<PropertyKey>, value: unknown): string[] {
  let schemas = branchesOf(root, root);
  for (const segment of path) {
    schemas = schemas.flatMap((schema) => {
      const child = typeof segment === 'number' ? itemSchema(schema, segment) : propertySchema(schema, String(segment));
      return child === undefined ? [] : branchesOf(root, child);
    });
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
  return typeof schema.items === 'object' ? (schema.items as JsonSchema) : undefined;
}

function contradicts(properties: Record<string, JsonSchema>, value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(properties).some(([key, schema]) => 'const' in schema && key in value && (value as Record<string, unknown>)[key] !== schema.const);
}
