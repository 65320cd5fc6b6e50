/**
 * The fields of a JSON Schema, flattened: one row per property at every depth, with its dotted
 * path (`fleet[].dropouts.perHour`), its schema, and whether the object requires it. Used by
 * docs/scenarios.md's generator and by the test that every field is described. It follows
 * arrays (`[]`), `$ref`s into `$defs`, and `anyOf`/`oneOf` branches (an object branch's fields
 * join the parent's path; the branch's `name` constant, if any, is kept as `variant`).
 */
export type JsonSchema = { readonly [key: string]: unknown };

export interface SchemaField {
  /** `fleet[].faults[].disconnectsPerHour` */
  readonly path: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
  /** The object this field belongs to, as a path ('' at the top level). */
  readonly parent: string;
  /** For a field of one of several object shapes (a fault, an adversary): which one, e.g. `name: flaky-network`. */
  readonly variant?: string;
}

export function resolveRef(root: JsonSchema, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; typeof current.$ref === 'string' && depth < 20; depth++) {
    const ref = current.$ref as string;
    if (!ref.startsWith('#')) break;
    let node: unknown = root;
    for (const part of ref.slice(1).split('/').filter((p) => p !== '')) node = (node as Record<string, unknown> | undefined)?.[part];
    if (node === undefined) break;
    const { $ref: _ref, ...rest } = current;
    current = { ...(node as JsonSchema), ...rest };
  }
  return current;
}

/** The branches of a union, or the schema itself. */
export function branchesOf(root: JsonSchema, schema: JsonSchema): JsonSchema[] {
  const resolved = resolveRef(root, schema);
  const list = (resolved.anyOf ?? resolved.oneOf) as JsonSchema[] | undefined;
  if (!Array.isArray(list)) return [resolved];
  return list.flatMap((branch) => branchesOf(root, branch));
}

function variantOf(schema: JsonSchema): string | undefined {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  for (const [key, property] of Object.entries(properties ?? {})) {
    if ('const' in property) return `${key}: ${String(property.const)}`;
  }
  return undefined;
}

export function schemaFields(root: JsonSchema): SchemaField[] {
  const fields: SchemaField[] = [];
  const visit = (schema: JsonSchema, path: string, variant: string | undefined, depth: number): void => {
    if (depth > 30) return;
    for (const branch of branchesOf(root, schema)) {
      const properties = branch.properties as Record<string, JsonSchema> | undefined;
      if (properties !== undefined) {
        const required = new Set((branch.required as string[] | undefined) ?? []);
        const branchVariant = variantOf(branch) ?? variant;
        for (const [key, property] of Object.entries(properties)) {
          const fieldPath = path === '' ? key : `${path}.${key}`;
          fields.push({ path: fieldPath, schema: resolveRef(root, property), required: required.has(key), parent: path, ...(branchVariant === undefined ? {} : { variant: branchVariant }) });
          visit(property, fieldPath, branchVariant, depth + 1);
        }
      }
      const items = branch.items;
      if (items !== undefined && typeof items === 'object' && branch.prefixItems === undefined) visit(items as JsonSchema, `${path}[]`, variant, depth + 1);
    }
  };
  visit(root, '', undefined, 0);
  return fields;
}
