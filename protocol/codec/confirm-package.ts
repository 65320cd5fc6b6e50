import { sha256 } from '@noble/hashes/sha2.js';
import { checkSignatureLength, checkTimestamp, SIGNATURE_BYTES } from './bin-package.ts';
import { defineMessage } from './message.ts';
import { decodeError, encodeError } from './wire.ts';
import type { ProtoWriter } from './writer.ts';

/**
 * Pebble Tracker v2 `ConfirmPackage` (proto2, all four fields required): the device's answer to
 * an owner proposal, published on `device/<id>/confirm`. The firmware (devReg.c, `SignAndSend`)
 * signs owner ‖ uint32 BE timestamp with the device key and sends its data-channel mask along.
 */
export interface ConfirmPackage {
  /** Field 1: the owner's 20-byte Ethereum address. */
  owner: Uint8Array;
  /** Field 2: seconds since the Unix epoch, by the device's clock. */
  timestamp: number;
  /** Field 3: ECDSA r‖s over sha256(owner ‖ uint32 BE timestamp). */
  signature: Uint8Array;
  /** Field 4: the device's data-channel mask (`getDevChannel()`). */
  channel: number;
}

const MESSAGE = 'ConfirmPackage';
export const OWNER_BYTES = 20;
/** Stands in for a required field until it is read; never returned. */
const NO_BYTES = new Uint8Array(0);

/** The bytes a confirm signature covers: owner ‖ uint32 BE timestamp. */
export function confirmMessage(owner: Uint8Array, timestamp: number): Uint8Array {
  checkTimestamp(MESSAGE, timestamp);
  const out = new Uint8Array(owner.length + 4);
  out.set(owner, 0);
  new DataView(out.buffer).setUint32(owner.length, timestamp, false);
  return out;
}

export const confirmDigest = (owner: Uint8Array, timestamp: number): Uint8Array => sha256(confirmMessage(owner, timestamp));

/** `0x`-prefixed 40-hex-digit address → 20 bytes. */
export function ownerBytes(address: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw encodeError(MESSAGE, `owner must be a 0x-prefixed 20-byte hex address, got ${JSON.stringify(address)}`, { field: 1 });
  }
  return Uint8Array.from(Buffer.from(address.slice(2), 'hex'));
}

/** Pebble field numbers and types of `ConfirmPackage`. */
const CONFIRM_PACKAGE = defineMessage<ConfirmPackage>({
  message: MESSAGE,
  fields: [
    [1, 'owner', 'bytes', 'required', { check: (owner) => checkOwnerBytes(owner as Uint8Array) }],
    [2, 'timestamp', 'uint32', 'required', { check: (timestamp) => checkTimestamp(MESSAGE, timestamp as number) }],
    [3, 'signature', 'bytes', 'required', { check: (signature) => checkSignatureBytes(signature as Uint8Array) }],
    [4, 'channel', 'uint32', 'required'],
  ],
  writerBytes: 128,
  create: () => ({ owner: NO_BYTES, timestamp: 0, signature: NO_BYTES, channel: 0 }),
  validate(pkg) {
    checkSignatureLength(MESSAGE, 3, pkg.signature);
    if (pkg.owner.length !== OWNER_BYTES) {
      throw decodeError(MESSAGE, 'invalid-value', `owner is ${pkg.owner.length} bytes, expected ${OWNER_BYTES} (an Ethereum address)`, { field: 1 });
    }
  },
});

function checkOwnerBytes(owner: Uint8Array): void {
  if (owner.length !== OWNER_BYTES) {
    throw encodeError(MESSAGE, `field 1 (owner) must be ${OWNER_BYTES} bytes, got ${owner.length}; pass the address bytes, not hex`, { field: 1 });
  }
}

function checkSignatureBytes(signature: Uint8Array): void {
  if (signature.length !== SIGNATURE_BYTES) {
    throw encodeError(MESSAGE, `field 3 (signature) must be ${SIGNATURE_BYTES} bytes r‖s, got ${signature.length}`, { field: 3 });
  }
}

export const writeConfirmPackage: (writer: ProtoWriter, pkg: ConfirmPackage) => void = CONFIRM_PACKAGE.write;

export const encodeConfirmPackage: (pkg: ConfirmPackage) => Uint8Array = CONFIRM_PACKAGE.encode;

/** Decodes untrusted bytes; throws only `CODEC_DECODE_FAILED` PinbenchErrors. `owner` and `signature` are views into `bytes`. */
export const decodeConfirmPackage: (bytes: Uint8Array) => ConfirmPackage = CONFIRM_PACKAGE.decode;
