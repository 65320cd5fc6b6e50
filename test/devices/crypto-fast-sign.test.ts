import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { deriveDeviceKey, signDigest, signDigestNoble } from '../../devices/index.ts';
import { type CurveName } from '../../protocol/index.ts';
import { invertMod, invertModFast, signDigestFast } from '../../devices/crypto/fast-sign.ts';
import { invert } from '@noble/curves/abstract/modular.js';
import { p256 } from '@noble/curves/nist.js';

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

  it('behavior: the Lehmer inverse agrees with noble’s on random and edge values mod the P-256 order', () => {
    const n = p256.CURVE.n;
    const values = [1n, 2n, 3n, n - 1n, n - 2n, n >> 1n, (1n << 200n) + 1n, (1n << 48n) - 1n, 1n << 48n, 12345678901234567890n];
    for (let i = 0; i < 2000; i++) {
      const bytes = sha256(Uint8Array.of(i & 0xff, i >> 8, 0xa5));
      values.push((BigInt(`0x${Buffer.from(bytes).toString('hex')}`) % (n - 1n)) + 1n);
    }
    for (const v of values) {
      const expected = invert(v, n);
      expect(invertModFast(v, n)).toBe(expected);
      expect(invertMod(v, n)).toBe(expected);
    }
  });
});
