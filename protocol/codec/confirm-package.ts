import { sha256 } from '@noble/hashes/sha2.js';
import { checkSignatureLength, checkTimestamp, SIGNATURE_BYTES } from './bin-package.ts';
import { FieldReader } from './reader.ts';
import { WireType, decodeError, encodeError } from './wire.ts';
import { ProtoWriter } from './writer.ts';

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
const FIELD_NAMES = ['', 'owner', 'timestamp', 'signature', 'channel'] as const;
export const OWNER_BYTES = 20;

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

export function writeConfirmPackage(writer: ProtoWriter, pkg: ConfirmPackage): void {
  if (pkg.owner.length !== OWNER_BYTES) {
    throw encodeError(MESSAGE, `field 1 (owner) must be ${OWNER_BYTES} bytes, got ${pkg.owner.length}; pass the address bytes, not hex`, { field: 1 });
  }
  checkTimestamp(MESSAGE, pkg.timestamp);
  if (pkg.signature.length !== SIGNATURE_BYTES) {
    throw encodeError(MESSAGE, `field 3 (signature) must be ${SIGNATURE_BYTES} bytes r‖s, got ${pkg.signature.length}`, { field: 3 });
  }
  if (!(Number.isInteger(pkg.channel) && pkg.channel >= 0 && pkg.channel <= 0xffffffff)) {
    throw encodeError(MESSAGE, `field 4 (channel) must be an integer in [0, 4294967295], got ${pkg.channel}`, { field: 4 });
  }
  writer.tag(1, WireType.LEN);
  writer.bytes(pkg.owner);
  writer.tag(2, WireType.VARINT);
  writer.varint32(pkg.timestamp);
  writer.tag(3, WireType.LEN);
  writer.bytes(pkg.signature);
  writer.tag(4, WireType.VARINT);
  writer.varint32(pkg.channel);
}

const sharedWriter = new ProtoWriter(128);

export function encodeConfirmPackage(pkg: ConfirmPackage): Uint8Array {
  writeConfirmPackage(sharedWriter.reset(), pkg);
  return sharedWriter.finish();
}

/** Decodes untrusted bytes; throws only `CODEC_DECODE_FAILED` PinbenchErrors. `owner` and `signature` are views into `bytes`. */
export function decodeConfirmPackage(bytes: Uint8Array): ConfirmPackage {
  const r = new FieldReader(bytes, MESSAGE);
  let owner: Uint8Array | undefined;
  let timestamp = 0;
  let signature: Uint8Array | undefined;
  let channel = 0;
  while (r.next()) {
    const field = r.field;
    if (field === 1) owner = r.bytes('owner');
    else if (field === 2) timestamp = r.uint32('timestamp');
    else if (field === 3) signature = r.bytes('signature');
    else if (field === 4) channel = r.uint32('channel');
    else r.skipField();
  }
  r.requireFields(FIELD_NAMES);
  checkSignatureLength(MESSAGE, 3, signature!);
  if (owner!.length !== OWNER_BYTES) {
    throw decodeError(MESSAGE, 'invalid-value', `owner is ${owner!.length} bytes, expected ${OWNER_BYTES} (an Ethereum address)`, { field: 1 });
  }
  return { owner: owner!, timestamp, signature: signature!, channel };
}
