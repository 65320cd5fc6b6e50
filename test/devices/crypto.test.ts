import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { addressOfPrivateKey, deriveDeviceKey, deriveOwnerAccount, publicKeyOf, signDigest, signReading, toChecksumAddress } from '../../devices/index.ts';
import { PackageType, createVerifier, signedDigest, type CurveName } from '../../protocol/index.ts';

const CURVES = { p256, secp256k1 };
const data = Uint8Array.from([8, 1, 16, 2]);

describe.each(['p256', 'secp256k1'] as CurveName[])('keys and signatures on %s', (curve) => {
  const key = deriveDeviceKey(42, 0, curve);

  it('args: keys depend on seed, index and curve only', () => {
    expect(deriveDeviceKey(42, 0, curve)).toEqual(key);
    expect(deriveDeviceKey('42', 0, curve)).toEqual(key);
    expect(deriveDeviceKey(42, 1, curve).privateKey).not.toEqual(key.privateKey);
    expect(deriveDeviceKey(43, 0, curve).privateKey).not.toEqual(key.privateKey);
    expect(deriveDeviceKey(42, 0, curve === 'p256' ? 'secp256k1' : 'p256').privateKey).not.toEqual(key.privateKey);
    const d = BigInt(`0x${bytesToHex(key.privateKey)}`);
    expect(d > 0n && d < CURVES[curve].CURVE.n).toBe(true);
    expect(key.publicKey).toHaveLength(65);
    expect(key.publicKey[0]).toBe(4);
    expect(publicKeyOf(key.privateKey, curve)).toEqual(key.publicKey);
    for (let index = 0; index < 50; index++) {
      const { privateKey, publicKey } = deriveDeviceKey('pub', index, curve);
      expect(publicKey).toEqual(CURVES[curve].getPublicKey(privateKey, false));
    }
  });

  it('behavior: signatures are deterministic, 64 bytes, low-S, and verify under noble and Node', () => {
    const a = signReading(key, PackageType.DATA, data, 1_700_000_000);
    const b = signReading(key, PackageType.DATA, data, 1_700_000_000);
    expect(a).toEqual(b);
    expect(a).toHaveLength(64);
    const s = BigInt(`0x${bytesToHex(a.subarray(32))}`);
    expect(s <= CURVES[curve].CURVE.n / 2n).toBe(true);
    expect(CURVES[curve].verify(a, signedDigest(PackageType.DATA, data, 1_700_000_000), key.publicKey)).toBe(true);
    const verifier = createVerifier(key.publicKey, curve);
    expect(verifier.verify(PackageType.DATA, data, 1_700_000_000, a)).toBe(true);
    expect(verifier.verify(PackageType.DATA, data, 1_700_000_001, a)).toBe(false);
    expect(verifier.verify(PackageType.CONFIG, data, 1_700_000_000, a)).toBe(false);
    expect(verifier.verify(PackageType.DATA, data, 1_700_000_000, a.subarray(0, 63))).toBe(false);
  });

  it('behavior: the Node verifier accepts 200 noble signatures and rejects them under another key', () => {
    const verifier = createVerifier(key.publicKey, curve);
    const other = createVerifier(deriveDeviceKey(42, 1, curve).publicKey, curve);
    for (let i = 0; i < 200; i++) {
      const message = Uint8Array.from({ length: i % 50 }, (_, k) => (k * 31 + i) & 0xff);
      const signature = signReading(key, PackageType.DATA, message, i);
      expect(verifier.verify(PackageType.DATA, message, i, signature)).toBe(true);
      expect(other.verify(PackageType.DATA, message, i, signature)).toBe(false);
    }
  });
});

describe('signing primitives', () => {
  it('behavior: nonces follow RFC 6979 (A.2.5, P-256, SHA-256, "sample"), s normalized to low-S', () => {
    const privateKey = hexToBytes('C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721');
    const signature = signDigest({ curve: 'p256', privateKey }, sha256(new TextEncoder().encode('sample')));
    expect(bytesToHex(signature.subarray(0, 32)).toUpperCase()).toBe('EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716');
    const highS = BigInt('0xF7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8');
    expect(BigInt(`0x${bytesToHex(signature.subarray(32))}`)).toBe(p256.CURVE.n - highS);
  });

  it('error: createVerifier rejects malformed and off-curve public keys', () => {
    expect(() => createVerifier(new Uint8Array(33))).toThrow(
      'public key must be 65 bytes uncompressed (0x04 ‖ x ‖ y), got 33 bytes starting 0x00; decompress it first',
    );
    const offCurve = new Uint8Array(65).fill(1);
    offCurve[0] = 4;
    expect(() => createVerifier(offCurve, 'p256')).toThrow('public key is not a point on p256; check that the key and the curve name belong together');
  });

  it('error: publicKeyOf rejects a key of the wrong length or out of range', () => {
    expect(() => publicKeyOf(new Uint8Array(31))).toThrow('private key must be 32 bytes, got 31; pass the raw scalar, not hex or DER');
    for (const curve of ['p256', 'secp256k1'] as CurveName[]) {
      expect(() => publicKeyOf(new Uint8Array(32), curve)).toThrow(
        `private key is not a valid ${curve} scalar (it must lie in [1, n−1]); derive keys with deriveDeviceKey`,
      );
    }
  });
});

describe('owner accounts', () => {
  it('behavior: address derivation matches a known Ethereum vector and EIP-55', () => {
    expect(addressOfPrivateKey(hexToBytes('4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'))).toBe(
      '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
    );
    expect(toChecksumAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed')).toBe('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
  });

  it('args: owner accounts are deterministic and their key yields their address', () => {
    const owner = deriveOwnerAccount('scenario', 7);
    expect(deriveOwnerAccount('scenario', 7)).toEqual(owner);
    expect(owner.privateKey).toMatch(/^0x[0-9a-f]{64}$/);
    expect(addressOfPrivateKey(hexToBytes(owner.privateKey.slice(2)))).toBe(owner.address);
    expect(deriveOwnerAccount('scenario', 8).address).not.toBe(owner.address);
  });
});
