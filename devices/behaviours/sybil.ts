import { bytesToHex } from '@noble/hashes/utils.js';
import { PinbenchError } from '../../core/errors.ts';
import { deriveBytes, type Seed } from '../derive.ts';
import { createIdentityFactory } from '../identity.ts';
import type { DeviceSpec } from '../spec.ts';

export interface SybilOptions {
  /** The scenario seed: clone identities derive from it as the fleet's do. */
  readonly seed: Seed;
  /** The `index` of the device whose key the clones share. */
  readonly sourceIndex: number;
  readonly count: number;
  /** Index of the first clone; default one past the highest index in `fleet`. */
  readonly firstIndex?: number;
}

/**
 * Sybil clones: new device ids (IMEI, name, owner, MQTT password) all behind one device's
 * signing key. Returns only the clones; the caller adds them to the fleet and registers them.
 */
export function makeSybilClones(fleet: readonly DeviceSpec[], options: SybilOptions): DeviceSpec[] {
  const source = fleet.find((d) => d.index === options.sourceIndex);
  if (!source) {
    throw new PinbenchError('PROFILE_INVALID', `sybil: no device with index ${options.sourceIndex} in a fleet of ${fleet.length}; pick the index of an existing device`, {
      details: { sourceIndex: options.sourceIndex },
    });
  }
  if (!(Number.isSafeInteger(options.count) && options.count >= 1)) {
    throw new PinbenchError('PROFILE_INVALID', `sybil: clones must be an integer ≥ 1, got ${options.count}`, { details: { count: options.count } });
  }
  const first = options.firstIndex ?? Math.max(...fleet.map((d) => d.index)) + 1;
  const identityOf = createIdentityFactory(options.seed);
  return Array.from({ length: options.count }, (_, k) => {
    const index = first + k;
    const identity = identityOf(index);
    return {
      ...source,
      index,
      id: identity.id,
      name: identity.name,
      ownerAddress: identity.ownerAddress,
      ownerPrivateKey: identity.ownerPrivateKey,
      password: bytesToHex(deriveBytes(options.seed, 'mqtt-password', index).subarray(0, 16)),
    };
  });
}
