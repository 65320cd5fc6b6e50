import { signedDigest } from '../../protocol/codec/digest.ts';
import type { PackageType } from '../../protocol/codec/bin-package.ts';
import type { CurveName } from '../../protocol/curves.ts';
import { nobleCurves } from './noble-curves.ts';
import { signDigestFast } from './fast-sign.ts';

/** What signing needs of a device key. */
export interface SigningKey {
  readonly curve: CurveName;
  readonly privateKey: Uint8Array;
}

/**
 * RFC 6979 deterministic nonces (noble's default, no extra entropy) make the same seed give
 * byte-identical payloads; low-S keeps one canonical signature per message (BIP-62 style), which
 * the ingest may rely on for deduplication.
 */
const SIGN_OPTIONS = { lowS: true } as const;

/** ECDSA over a 32-byte digest → 64-byte r‖s (fast path with noble's exact bytes, noble otherwise). */
export function signDigest(key: SigningKey, digest: Uint8Array): Uint8Array {
  return signDigestFast(key.curve, key.privateKey, digest) ?? signDigestNoble(key, digest);
}

/** The reference implementation `signDigest` must match byte for byte. */
export function signDigestNoble(key: SigningKey, digest: Uint8Array): Uint8Array {
  return nobleCurves[key.curve].sign(digest, key.privateKey, SIGN_OPTIONS).toCompactRawBytes();
}

/** Signs a reading as the Pebble does: ECDSA over sha256(uint32 BE type ‖ data ‖ uint32 BE timestamp). */
export function signReading(key: SigningKey, type: PackageType, data: Uint8Array, timestamp: number): Uint8Array {
  return signDigest(key, signedDigest(type, data, timestamp));
}
