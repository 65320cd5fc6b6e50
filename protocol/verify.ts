import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { PinbenchError } from '../core/errors.ts';
import { signedMessageView } from './codec/digest.ts';
import type { BinPackage, PackageType } from './codec/bin-package.ts';
import { jwkCurveNames, type CurveName } from './curves.ts';

/** Checks one device's readings. Build one per device and keep it: key import is the slow part. */
export interface ReadingVerifier {
  readonly curve: CurveName;
  readonly publicKey: Uint8Array;
  /** True when `signature` (64-byte r‖s) signs (type, data, timestamp) under this key. */
  verify(type: PackageType, data: Uint8Array, timestamp: number, signature: Uint8Array): boolean;
  /** `verify` applied to a decoded package. */
  verifyPackage(pkg: BinPackage): boolean;
  /** True when `signature` (64-byte r‖s) signs sha256(`message`) under this key (e.g. a ConfirmPackage's owner ‖ timestamp). */
  verifyMessage(message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * A verifier on Node's crypto (OpenSSL), several times faster than noble's verify. The key object
 * is built once; `ieee-p1363` makes OpenSSL read the raw r‖s form the devices send instead of DER.
 */
export function createVerifier(publicKey: Uint8Array, curve: CurveName = 'p256'): ReadingVerifier {
  const keyObject = importPublicKey(publicKey, curve);
  const keyInput = { key: keyObject, dsaEncoding: 'ieee-p1363' } as const;
  const verify = (type: PackageType, data: Uint8Array, timestamp: number, signature: Uint8Array): boolean => {
    if (signature.length !== 64) return false;
    return nodeVerify('sha256', signedMessageView(type, data, timestamp), keyInput, signature);
  };
  return {
    curve,
    publicKey,
    verify,
    verifyPackage: (pkg) => verify(pkg.type, pkg.data, pkg.timestamp, pkg.signature),
    verifyMessage: (message, signature) => signature.length === 64 && nodeVerify('sha256', message, keyInput, signature),
  };
}

function importPublicKey(publicKey: Uint8Array, curve: CurveName): KeyObject {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) {
    throw new PinbenchError(
      'KEY_INVALID',
      `public key must be 65 bytes uncompressed (0x04 ‖ x ‖ y), got ${publicKey.length} bytes starting 0x${(publicKey[0] ?? 0).toString(16).padStart(2, '0')}; decompress it first`,
      { details: { length: publicKey.length, curve } },
    );
  }
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  try {
    return createPublicKey({
      key: { kty: 'EC', crv: jwkCurveNames[curve], x: b64(publicKey.subarray(1, 33)), y: b64(publicKey.subarray(33, 65)) },
      format: 'jwk',
    });
  } catch (cause) {
    throw new PinbenchError('KEY_INVALID', `public key is not a point on ${curve}; check that the key and the curve name belong together`, {
      details: { curve },
      cause,
    });
  }
}
