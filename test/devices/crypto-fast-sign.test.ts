import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { deriveDeviceKey, signDigest, signDigestNoble, type CurveName } from '../../devices/index.ts';
import { signDigestFast } from '../../devices/crypto/fast-sign.ts';

describe('fast signing', () => {
  it.each<CurveName>(['p256', 'secp256k1'])('behavior: %s signatures are byte-identical to noble’s on many keys and messages', (curve) => {
    for (let i = 0; i < 400; i++) {
      const key = deriveDeviceKey('fast-sign', i % 40, curve);
      const digest = sha256(Uint8Array.of(i & 0xff, i >> 8, 0x5a));
      expect(Buffer.from(signDigest(key, digest)).toString('hex')).toBe(Buffer.from(signDigestNoble(key, digest)).toString('hex'));
    }
  });

  it('behavior: edge digests (all zero, all ones ≥ n) match noble too', () => {
    const key = deriveDeviceKey('fast-sign', 0, 'p256');
    for (const digest of [new Uint8Array(32), new Uint8Array(32).fill(0xff)]) {
      expect(signDigestFast('p256', key.privateKey, digest)).toEqual(signDigestNoble(key, digest));
    }
  });

  it('args: the fast path declines what it does not cover (other curves, non-32-byte digests)', () => {
    const key = deriveDeviceKey('fast-sign', 0, 'p256');
    expect(signDigestFast('secp256k1', key.privateKey, new Uint8Array(32))).toBeUndefined();
    expect(signDigestFast('p256', key.privateKey, new Uint8Array(31))).toBeUndefined();
  });
});
