import { createECDH, type ECDH } from 'node:crypto';
import { PinbenchError } from '../../core/errors.ts';
import { deriveScalar, type Seed } from '../derive.ts';
import type { CurveName } from '../../protocol/curves.ts';
import { nobleCurves } from './noble-curves.ts';

/** A device's signing key pair: 32-byte private scalar, 65-byte uncompressed public key (0x04 ‖ x ‖ y). */
export interface DeviceKey {
  readonly curve: CurveName;
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * The key of device `index` under scenario `seed`: HMAC-SHA256 of (seed, index) rejection-sampled
 * into [1, n−1]. Same seed and index, same key, on every machine.
 */
export function deriveDeviceKey(seed: Seed, index: number, curve: CurveName = 'p256'): DeviceKey {
  const privateKey = deriveScalar(seed, `device-key/${curve}`, index, nobleCurves[curve].CURVE.n);
  return { curve, privateKey, publicKey: publicKeyOf(privateKey, curve) };
}

let p256Ecdh: ECDH | undefined;

/**
 * The 65-byte uncompressed public key of `privateKey`. P-256 goes through OpenSSL (ECDH), ~20×
 * faster than noble and the same bytes, which matters when a 10,000-device fleet is built;
 * OpenSSL's secp256k1 is no faster than noble's, so that curve stays on noble.
 */
export function publicKeyOf(privateKey: Uint8Array, curve: CurveName = 'p256'): Uint8Array {
  if (privateKey.length !== 32) {
    throw new PinbenchError('KEY_INVALID', `private key must be 32 bytes, got ${privateKey.length}; pass the raw scalar, not hex or DER`, {
      details: { length: privateKey.length },
    });
  }
  try {
    if (curve === 'p256') {
      p256Ecdh ??= createECDH('prime256v1');
      p256Ecdh.setPrivateKey(privateKey);
      return new Uint8Array(p256Ecdh.getPublicKey());
    }
    return nobleCurves[curve].getPublicKey(privateKey, false);
  } catch (cause) {
    throw new PinbenchError('KEY_INVALID', `private key is not a valid ${curve} scalar (it must lie in [1, n−1]); derive keys with deriveDeviceKey`, {
      cause,
    });
  }
}
