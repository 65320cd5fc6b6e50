import { sha256 } from '@noble/hashes/sha2.js';
import { checkTimestamp, type PackageType } from './bin-package.ts';

let scratch = new Uint8Array(256);

/**
 * The signed bytes into a shared scratch buffer: uint32 big-endian type ‖ data ‖ uint32
 * big-endian timestamp (docs/architecture.md, "Wire format"). Valid until the next call;
 * callers use it synchronously (hash, verify) and never keep it.
 */
export function signedMessageView(type: PackageType, data: Uint8Array, timestamp: number): Uint8Array {
  checkTimestamp('signed message', timestamp);
  const length = data.length + 8;
  if (scratch.length < length) scratch = new Uint8Array(Math.max(length, scratch.length * 2));
  const out = scratch;
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  out[3] = type;
  out.set(data, 4);
  const t = data.length + 4;
  out[t] = timestamp >>> 24;
  out[t + 1] = (timestamp >>> 16) & 0xff;
  out[t + 2] = (timestamp >>> 8) & 0xff;
  out[t + 3] = timestamp & 0xff;
  return out.subarray(0, length);
}

/** The bytes a reading's signature covers: uint32 BE type ‖ data ‖ uint32 BE timestamp. */
export function signedMessage(type: PackageType, data: Uint8Array, timestamp: number): Uint8Array {
  return signedMessageView(type, data, timestamp).slice();
}

/** sha256(uint32 BE type ‖ data ‖ uint32 BE timestamp): the digest a device signs. */
export function signedDigest(type: PackageType, data: Uint8Array, timestamp: number): Uint8Array {
  return sha256(signedMessageView(type, data, timestamp));
}
