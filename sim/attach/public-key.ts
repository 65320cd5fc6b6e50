import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { PinbenchError } from '../../core/errors.ts';
import { CURVE_NAMES, jwkCurveNames, type CurveName } from '../../protocol/curves.ts';
import { nobleCurves } from '../../devices/crypto/noble-curves.ts';

/** A device's signing key as the registry records it: 65 bytes, 0x04 ‖ x ‖ y. */
export interface DevicePublicKey {
  readonly publicKey: Uint8Array;
  readonly curve: CurveName;
}

const HOW = 'give a PEM public key (a file, or its text starting "-----BEGIN PUBLIC KEY-----") or the point in hex: 65 bytes uncompressed (04…) or 33 compressed (02…/03…)';

function bad(what: string, why: string): PinbenchError {
  return new PinbenchError('PUBKEY_INVALID', `${what}: ${why}; ${HOW}`, { details: { what } });
}

function fromPem(pem: string, what: string): DevicePublicKey {
  let jwk;
  try {
    jwk = createPublicKey(pem).export({ format: 'jwk' });
  } catch (cause) {
    throw bad(what, `not a readable PEM public key (${(cause as Error).message})`);
  }
  const curve = CURVE_NAMES.find((c) => jwkCurveNames[c] === jwk.crv);
  if (jwk.kty !== 'EC' || curve === undefined || jwk.x === undefined || jwk.y === undefined) {
    throw bad(what, `a ${jwk.kty ?? 'non-EC'} key on ${jwk.crv ?? 'no curve'}: devices sign with P-256 or secp256k1`);
  }
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return { publicKey: new Uint8Array(point), curve };
}

function fromHex(hex: string, curve: CurveName, what: string): DevicePublicKey {
  const bytes = Buffer.from(hex.replace(/^0x/, ''), 'hex');
  if (bytes.length !== 65 && bytes.length !== 33) throw bad(what, `${bytes.length} bytes of hex`);
  try {
    const point = nobleCurves[curve].ProjectivePoint.fromHex(bytes);
    point.assertValidity();
    return { publicKey: point.toRawBytes(false), curve };
  } catch {
    throw bad(what, `not a point on ${curve}${curve === 'p256' ? ' (a secp256k1 key? say --curve secp256k1)' : ''}`);
  }
}

/**
 * Reads a device public key from what a person pastes or points at: a PEM file's path, PEM
 * text, or hex. PEM names its curve; for hex, `curve` says which (P-256 by default).
 */
export function parseDevicePublicKey(input: string, options: { curve?: CurveName; what?: string; baseDir?: string } = {}): DevicePublicKey {
  const what = options.what ?? 'public key';
  const text = input.trim();
  if (text.startsWith('-----BEGIN')) return fromPem(text, what);
  if (/^(0x)?[0-9a-fA-F]+$/.test(text) && !existsSync(text)) {
    if (text.replace(/^0x/, '').length % 2 !== 0) throw bad(what, 'an odd number of hex digits');
    return fromHex(text, options.curve ?? 'p256', what);
  }
  const path = options.baseDir === undefined || text.startsWith('/') ? text : `${options.baseDir}/${text}`;
  if (!existsSync(path)) throw bad(what, `"${input}" is neither a PEM file that exists nor hex`);
  const pem = readFileSync(path, 'utf8');
  if (!pem.includes('-----BEGIN')) {
    const inner = pem.trim();
    if (/^(0x)?[0-9a-fA-F]+$/.test(inner)) return fromHex(inner, options.curve ?? 'p256', `${what} (${path})`);
    throw bad(`${what} (${path})`, 'the file holds no PEM block');
  }
  return fromPem(pem, `${what} (${path})`);
}
