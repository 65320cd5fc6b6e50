import { bytesToHex } from '@noble/hashes/utils.js';
import { PinbenchError } from '../core/errors.ts';
import { assertCurve, type CurveName } from '../protocol/curves.ts';
import { deriveDeviceKey } from './crypto/keys.ts';
import { assertSeed, deriveBytes, type Seed } from './derive.ts';
import { createIdentityFactory } from './identity.ts';
import { assertArea, BERLIN, type Area } from './motion/area.ts';
import { DEFAULT_MOTION_MIX, motionPicker, type MotionMix } from './motion/motion-profiles.ts';
import { DEFAULT_BLOCK_M, snapToStreets } from './motion/grid.ts';
import { seededRandom, uniform } from './random.ts';
import type { DeviceSpec } from './spec.ts';

export interface FleetOptions {
  readonly seed: Seed;
  readonly count: number;
  readonly uploadPeriodS: number;
  /** Where devices start and move; default: central Berlin. */
  readonly area?: Area;
  /** One profile for all, or weights of a mix; default { stationary: 1, walk: 2, bike: 1, car: 1 }. */
  readonly motion?: MotionMix;
  /** Device signing curve; default 'p256'. */
  readonly curve?: CurveName;
  /** Index of the first device, so a fleet can be built in shards with the same devices; default 0. */
  readonly firstIndex?: number;
}

function checkInteger(option: string, value: unknown, min: number, hint: string): void {
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= min)) {
    throw new PinbenchError('CONFIG_INVALID', `option \`${option}\`: expected an integer ≥ ${min}, got ${JSON.stringify(value)}; ${hint}`, {
      details: { option, value },
    });
  }
}

/**
 * The devices of a scenario, deterministically: the same options give byte-identical specs on
 * any machine. Each device's values depend only on (seed, index), so `firstIndex` shards agree
 * with a whole fleet. MQTT passwords derive from the seed too: fine for a bench, not a secret.
 */
export function buildFleet(options: FleetOptions): DeviceSpec[] {
  const { seed, count, uploadPeriodS } = options;
  assertSeed(seed);
  checkInteger('count', count, 1, 'pass the number of devices to simulate');
  if (!(typeof uploadPeriodS === 'number' && Number.isFinite(uploadPeriodS) && uploadPeriodS > 0)) {
    throw new PinbenchError('CONFIG_INVALID', `option \`uploadPeriodS\`: expected a positive number of seconds, got ${JSON.stringify(uploadPeriodS)}; Pebbles upload every 10 to 300 s`, {
      details: { option: 'uploadPeriodS', value: uploadPeriodS },
    });
  }
  const area = options.area ?? BERLIN;
  assertArea(area);
  const curve = options.curve ?? 'p256';
  assertCurve(curve);
  const pickProfile = motionPicker(options.motion ?? DEFAULT_MOTION_MIX);
  const firstIndex = options.firstIndex ?? 0;
  checkInteger('firstIndex', firstIndex, 0, 'use 0 unless building one shard of a larger fleet');
  const frozenArea = Object.freeze({ ...area });
  // Fails early, with a clear message, when the area cannot hold a street grid.
  snapToStreets(frozenArea, { lat: area.minLat, lon: area.minLon }, DEFAULT_BLOCK_M);

  const identityOf = createIdentityFactory(seed);
  const devices: DeviceSpec[] = [];
  for (let index = firstIndex; index < firstIndex + count; index++) {
    const identity = identityOf(index);
    const key = deriveDeviceKey(seed, index, curve);
    const random = seededRandom(seed, 'fleet-device', index);
    const motion = pickProfile(random.next());
    const start = snapToStreets(frozenArea, {
      lat: uniform(random, area.minLat, area.maxLat),
      lon: uniform(random, area.minLon, area.maxLon),
    });
    devices.push({
      index,
      id: identity.id,
      name: identity.name,
      ownerAddress: identity.ownerAddress,
      ownerPrivateKey: identity.ownerPrivateKey,
      curve,
      privateKey: key.privateKey,
      publicKey: key.publicKey,
      password: bytesToHex(deriveBytes(seed, 'mqtt-password', index).subarray(0, 16)),
      uploadPeriodS,
      motion,
      area: frozenArea,
      start,
    });
  }
  return devices;
}
