import { FieldReader } from './reader.ts';
import { WireType, decodeError, encodeError } from './wire.ts';
import { ProtoWriter } from './writer.ts';

/** `BinPackage.PackageType` of the Pebble Tracker v2 format. */
export const PackageType = { DATA: 0, CONFIG: 1, STATE: 2 } as const;
export type PackageType = (typeof PackageType)[keyof typeof PackageType];

/** ECDSA signature as r‖s, 32 bytes each. */
export const SIGNATURE_BYTES = 64;

/** Pebble Tracker v2 `BinPackage` (proto2, all four fields required). */
export interface BinPackage {
  type: PackageType;
  /** An encoded `SensorData` for DATA packages. */
  data: Uint8Array;
  /** Seconds since the Unix epoch, as the device's clock had it. */
  timestamp: number;
  signature: Uint8Array;
}

const MESSAGE = 'BinPackage';
const FIELD_NAMES = ['', 'type', 'data', 'timestamp', 'signature'] as const;

export function isPackageType(value: number): value is PackageType {
  return value === 0 || value === 1 || value === 2;
}

export function checkTimestamp(message: string, timestamp: number): void {
  if (!(Number.isInteger(timestamp) && timestamp >= 0 && timestamp <= 0xffffffff)) {
    throw encodeError(message, `timestamp must be whole seconds in [0, 4294967295], got ${timestamp}; pass Math.floor(ms / 1000)`, {
      field: 3,
      value: timestamp,
    });
  }
}

export function writeBinPackage(writer: ProtoWriter, pkg: BinPackage): void {
  if (!isPackageType(pkg.type)) {
    throw encodeError(MESSAGE, `field 1 (type) must be 0 DATA, 1 CONFIG or 2 STATE, got ${pkg.type}`, { field: 1, value: pkg.type });
  }
  checkTimestamp(MESSAGE, pkg.timestamp);
  if (pkg.signature.length !== SIGNATURE_BYTES) {
    throw encodeError(MESSAGE, `field 4 (signature) must be ${SIGNATURE_BYTES} bytes r‖s, got ${pkg.signature.length}; convert DER signatures to compact form`, {
      field: 4,
      length: pkg.signature.length,
    });
  }
  writer.tag(1, WireType.VARINT);
  writer.varint32(pkg.type);
  writer.tag(2, WireType.LEN);
  writer.bytes(pkg.data);
  writer.tag(3, WireType.VARINT);
  writer.varint32(pkg.timestamp);
  writer.tag(4, WireType.LEN);
  writer.bytes(pkg.signature);
}

const sharedWriter = new ProtoWriter(256);

/** Encodes `pkg` into a fresh array (the writer behind it is reused). */
export function encodeBinPackage(pkg: BinPackage): Uint8Array {
  writeBinPackage(sharedWriter.reset(), pkg);
  return sharedWriter.finish();
}

/**
 * Decodes untrusted bytes. Throws only `CODEC_DECODE_FAILED` PinbenchErrors. `data` and
 * `signature` are views into `bytes` (no copy): copy them if `bytes` is reused. A repeated
 * scalar field keeps its last value (protobuf encoding spec, "Last One Wins").
 */
export function decodeBinPackage(bytes: Uint8Array): BinPackage {
  const r = new FieldReader(bytes, MESSAGE);
  let type: PackageType = PackageType.DATA;
  let data: Uint8Array | undefined;
  let timestamp = 0;
  let signature: Uint8Array | undefined;
  while (r.next()) {
    const field = r.field;
    if (field === 1) type = readPackageType(r);
    else if (field === 2) data = r.bytes('data');
    else if (field === 3) timestamp = r.uint32('timestamp');
    else if (field === 4) signature = r.bytes('signature');
    else r.skipField();
  }
  r.requireFields(FIELD_NAMES);
  checkSignatureLength(MESSAGE, 4, signature!);
  return { type, data: data!, timestamp, signature: signature! };
}

function readPackageType(r: FieldReader): PackageType {
  r.expect(WireType.VARINT, 'type');
  const at = r.pos;
  const value = r.varint32() | 0; // enums are int32 on the wire
  if (!isPackageType(value)) {
    throw decodeError(MESSAGE, 'unknown-enum-value', `unknown enum value ${value} for field 1 (type) at byte ${at}, expected 0 DATA, 1 CONFIG or 2 STATE`, {
      field: 1,
      value,
      offset: at,
    });
  }
  return value;
}

/** Refuses a decoded signature that is not r‖s, 64 bytes. */
export function checkSignatureLength(message: string, field: number, signature: Uint8Array): void {
  if (signature.length !== SIGNATURE_BYTES) {
    throw decodeError(message, 'bad-signature-length', `signature is ${signature.length} bytes, expected ${SIGNATURE_BYTES} (r‖s)`, {
      field,
      length: signature.length,
    });
  }
}
