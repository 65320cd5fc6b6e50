import { z } from 'zod';
import { readProfile } from '../devices/behaviour-profiles.ts';
import type { AdversaryConfig, FaultConfig } from '../devices/behaviours/schemas.ts';
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

export const faultEntrySchema = profileEntry<FaultConfig>('fault');
export const adversaryEntrySchema = profileEntry<AdversaryConfig>('adversary');

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
