import { sha256 } from '@noble/hashes/sha2.js';
import { checkTimestamp, SIGNATURE_BYTES } from './bin-package.ts';
import { ProtoReader } from './reader.ts';
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

/** Decodes untrusted bytes; throws only `E_DECODE` PinbenchErrors. `owner` and `signature` are views into `bytes`. */
export function decodeConfirmPackage(bytes: Uint8Array): ConfirmPackage {
  const r = new ProtoReader(bytes, MESSAGE);
  let seen = 0;
  let owner: Uint8Array | undefined;
  let timestamp = 0;
  let signature: Uint8Array | undefined;
  let channel = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (field === 1 || field === 3) {
      if ((tag & 7) !== WireType.LEN) r.wrongWireType(tag, FIELD_NAMES[field]!, '2 (len)');
      const [start, end] = r.lengthDelimited(field, FIELD_NAMES[field]!);
      if (field === 1) owner = bytes.subarray(start, end);
      else signature = bytes.subarray(start, end);
    } else if (field === 2 || field === 4) {
      if ((tag & 7) !== WireType.VARINT) r.wrongWireType(tag, FIELD_NAMES[field]!, '0 (varint)');
      if (field === 2) timestamp = r.varint32();
      else channel = r.varint32();
    } else {
      r.skip(tag);
      continue;
    }
    seen |= 1 << field;
  }
  for (let field = 1; field <= 4; field++) {
    if ((seen & (1 << field)) === 0) {
      throw decodeError(MESSAGE, 'missing-required-field', `missing required field ${field} (${FIELD_NAMES[field]})`, { field });
    }
  }
  if (signature!.length !== SIGNATURE_BYTES) {
    throw decodeError(MESSAGE, 'bad-signature-length', `signature is ${signature!.length} bytes, expected ${SIGNATURE_BYTES} (r‖s)`, {
      field: 3,
      length: signature!.length,
    });
  }
  if (owner!.length !== OWNER_BYTES) {
    throw decodeError(MESSAGE, 'invalid-value', `owner is ${owner!.length} bytes, expected ${OWNER_BYTES} (an Ethereum address)`, { field: 1 });
  }
  return { owner: owner!, timestamp, signature: signature!, channel };
}
