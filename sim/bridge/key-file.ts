import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PinbenchError } from '../../core/errors.ts';
import type { CurveName } from '../../protocol/curves.ts';
import { publicKeyOf } from '../../devices/crypto/keys.ts';
import type { SigningKey } from '../../devices/crypto/sign.ts';

/** A device's signing key as the bridge holds it. */
export interface BridgeKey extends SigningKey {
  /** 65 bytes uncompressed (0x04 ‖ x ‖ y), what a person compares with what they provisioned. */
  readonly publicKey: Uint8Array;
}

const JWK_CURVES: Record<string, CurveName> = { 'P-256': 'p256', secp256k1: 'secp256k1' };

const FORMS = 'a PEM private key (PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY") on P-256 or secp256k1, or 32 bytes of hex';

function invalid(path: string, why: string, cause?: unknown): PinbenchError {
  return new PinbenchError('BRIDGE_KEY_INVALID', `--key ${path}: ${why}; give ${FORMS}`, { details: { path }, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Reads the device's signing key. A PEM names its curve; bare hex does not, so it takes
 * `curve` (P-256 unless given). A PEM on another curve than a given `curve` is refused rather
 * than signed with: the backend would check it against the provisioned curve and refuse every reading.
 */
export function readKeyFile(path: string, curve?: CurveName): BridgeKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw invalid(path, code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (cause as Error).message})`, cause);
  }
  const hex = /^\s*(?:0x)?([0-9a-fA-F]{64})\s*$/.exec(text);
  if (hex !== null) return keyOf(path, Uint8Array.from(Buffer.from(hex[1]!, 'hex')), curve ?? 'p256');
  if (!text.includes('-----BEGIN')) throw invalid(path, 'neither PEM nor 64 hex digits');
  let jwk;
  try {
    jwk = createPrivateKey(text).export({ format: 'jwk' });
  } catch (cause) {
    throw invalid(path, `not a readable private key (${(cause as Error).message}; an encrypted PEM must be decrypted first)`, cause);
  }
  const pemCurve = jwk.kty === 'EC' && typeof jwk.crv === 'string' ? JWK_CURVES[jwk.crv] : undefined;
  if (pemCurve === undefined || typeof jwk.d !== 'string') throw invalid(path, `${typeof jwk.crv === 'string' ? `a key on ${jwk.crv}` : `an ${jwk.kty ?? 'unknown'} key`}, not on P-256 or secp256k1`);
  if (curve !== undefined && curve !== pemCurve) throw invalid(path, `a ${pemCurve} key, but --curve ${curve} was given`);
  return keyOf(path, Uint8Array.from(Buffer.from(jwk.d, 'base64url')), pemCurve);
}

function keyOf(path: string, privateKey: Uint8Array, curve: CurveName): BridgeKey {
  try {
    return { curve, privateKey, publicKey: publicKeyOf(privateKey, curve) };
  } catch (cause) {
    throw invalid(path, `not a valid ${curve} private key (it must lie in [1, n−1])`, cause);
  }
}
