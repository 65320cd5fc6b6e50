import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { deriveScalar, type Seed } from '../derive.ts';

export type Hex = `0x${string}`;

/** An Ethereum account that owns devices and can later sign claims (ethers accepts the key as is). */
export interface OwnerAccount {
  readonly privateKey: Hex;
  readonly address: Hex;
}

export function deriveOwnerAccount(seed: Seed, index: number): OwnerAccount {
  const privateKey = deriveScalar(seed, 'owner-key/secp256k1', index, secp256k1.CURVE.n);
  return { privateKey: `0x${bytesToHex(privateKey)}`, address: addressOfPrivateKey(privateKey) };
}

/** keccak256(uncompressed public key without 0x04)[12..32], EIP-55 checksummed. */
export function addressOfPrivateKey(privateKey: Uint8Array): Hex {
  const publicKey = secp256k1.getPublicKey(privateKey, false);
  return toChecksumAddress(bytesToHex(keccak_256(publicKey.subarray(1)).subarray(12)));
}

/** EIP-55: uppercase the hex letters whose nibble in keccak256(lowercase address) is ≥ 8. */
export function toChecksumAddress(hex40: string): Hex {
  const lower = hex40.toLowerCase().replace(/^0x/, '');
  const hash = bytesToHex(keccak_256(new TextEncoder().encode(lower)));
  let out = '';
  for (let i = 0; i < lower.length; i++) {
    out += parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i];
  }
  return `0x${out}`;
}
