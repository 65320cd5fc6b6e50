import { z } from 'zod';
import { ADVERSARY_SCHEMAS, FAULT_SCHEMAS } from '../devices/behaviours/schemas.ts';
import type { AdversaryConfig, FaultConfig } from '../devices/behaviours/schemas.ts';
import { CITY_NAMES } from '../devices/motion/cities.ts';

/**
 * A fault or adversary in a scenario: a bare name (`flaky-network`) or an object with its
 * parameters (`{ name: flaky-network, disconnectsPerHour: 12 }`); defaults come from the
 * profile's own schema in devices/behaviours/schemas.ts.
 */
function profileEntry<T>(kind: string, plural: string, schemas: Record<string, z.ZodType>) {
  const names = Object.keys(schemas);
  return z
    .union([z.string(), z.looseObject({})], { error: `expected a ${kind} name or { name, ...parameters }` })
    .transform((input, ctx): T => {
      const name = typeof input === 'string' ? input : (input as { name?: unknown }).name;
      const schema = typeof name === 'string' && Object.hasOwn(schemas, name) ? schemas[name] : undefined;
      if (schema === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown ${kind} ${JSON.stringify(name)}; valid ${plural}: ${names.join(', ')}`,
          input,
          params: { namesInput: true },
        });
        return z.NEVER;
      }
      const parsed = schema.safeParse(typeof input === 'string' ? { name } : input, { reportInput: true });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, message: `${issue.message} (${kind} ${name})` } as never);
        return z.NEVER;
      }
      return parsed.data as T;
    });
}

export const faultEntrySchema = profileEntry<FaultConfig>('fault', 'faults', FAULT_SCHEMAS);
export const adversaryEntrySchema = profileEntry<AdversaryConfig>('adversary', 'adversaries', ADVERSARY_SCHEMAS);

const latitude = z.number({ error: 'expected a latitude in degrees' }).min(-90).max(90);
const longitude = z.number({ error: 'expected a longitude in degrees' }).min(-180).max(180);

/** Where devices move: a city preset or a bounding box in degrees. */
export const areaSchema = z.union(
  [
    z.enum(CITY_NAMES as [string, ...string[]]),
    z
      .strictObject({ south: latitude, west: longitude, north: latitude, east: longitude })
      .refine((b) => b.south < b.north && b.west < b.east, { error: 'expected south < north and west < east' }),
  ],
  { error: `expected a city (${CITY_NAMES.join(', ')}) or a bounding box { south, west, north, east }` },
);
