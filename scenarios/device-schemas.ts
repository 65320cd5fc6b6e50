import { z } from 'zod';
import { readProfile } from '../devices/behaviour-profiles.ts';
import { adversaryConfigSchema, faultConfigSchema, type AdversaryConfig, type FaultConfig } from '../devices/behaviours/schemas.ts';
import { ADVERSARY_NAMES, FAULT_NAMES } from '../devices/behaviour-profiles.ts';
import { CITY_NAMES } from '../devices/motion/cities.ts';

/**
 * A fault or adversary in a scenario: a bare name (`flaky-network`) or an object with its
 * parameters (`{ name: flaky-network, disconnectsPerHour: 12 }`), read by devices/' reader;
 * defaults come from the profile's own schema in devices/behaviours/schemas.ts.
 */
function profileEntry<T>(kind: 'fault' | 'adversary') {
  return z
    .union([z.string(), z.looseObject({})], { error: `expected a ${kind} name or { name, ...parameters }` })
    .transform((input, ctx): T => {
      const read = readProfile<T>(kind, input, { reportInput: true });
      if (read.ok) return read.config;
      if ('unknownName' in read) ctx.addIssue({ code: 'custom', message: read.unknownName, input, params: { namesInput: true } });
      else for (const issue of read.issues) ctx.addIssue(issue as never);
      return z.NEVER;
    });
}

export const faultEntrySchema = profileEntry<FaultConfig>('fault').meta({
  description: 'A fault: an honest device with something wrong. A bare name takes its defaults; an object sets its parameters.',
});
export const adversaryEntrySchema = profileEntry<AdversaryConfig>('adversary').meta({
  description: 'An adversary: how the group\'s devices cheat. A bare name takes its defaults; an object sets its parameters.',
});

/**
 * What the JSON Schema shows for the entries above. They validate through devices/' reader (a
 * transform the JSON Schema cannot see), so the schema shows instead what that reader accepts:
 * a name, or one profile's parameters, each documented in devices/behaviours/schemas.ts.
 */
export const DOCUMENTED_ENTRY_INPUTS: ReadonlyMap<z.ZodType, z.ZodType> = new Map<z.ZodType, z.ZodType>([
  [faultEntrySchema, z.union([z.enum(FAULT_NAMES).meta({ description: 'A fault by name, with its default parameters.' }), faultConfigSchema])],
  [adversaryEntrySchema, z.union([z.enum(ADVERSARY_NAMES).meta({ description: 'An adversary by name, with its default parameters.' }), adversaryConfigSchema])],
]);

const latitude = z.number({ error: 'expected a latitude in degrees' }).min(-90).max(90);
const longitude = z.number({ error: 'expected a longitude in degrees' }).min(-180).max(180);

/** Where devices move: a city preset or a bounding box in degrees. */
export const areaSchema = z.union(
  [
    z.enum(CITY_NAMES as [string, ...string[]]).meta({ description: 'A city preset: its street grid.' }),
    z
      .strictObject({
        south: latitude.meta({ description: 'The southern edge: a latitude in degrees.' }),
        west: longitude.meta({ description: 'The western edge: a longitude in degrees.' }),
        north: latitude.meta({ description: 'The northern edge: a latitude in degrees.' }),
        east: longitude.meta({ description: 'The eastern edge: a longitude in degrees.' }),
      })
      .refine((b) => b.south < b.north && b.west < b.east, { error: 'expected south < north and west < east' }),
  ],
  { error: `expected a city (${CITY_NAMES.join(', ')}) or a bounding box { south, west, north, east }` },
);
