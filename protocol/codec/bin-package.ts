import { defineMessage } from './message.ts';
import { decodeError, encodeError } from './wire.ts';
import type { ProtoWriter } from './writer.ts';

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
/** Stands in for a required field until it is read; never returned. */
const NO_BYTES = new Uint8Array(0);

export function checkTimestamp(message: string, timestamp: number): void {
  if (!(Number.isInteger(timestamp) && timestamp >= 0 && timestamp <= 0xffffffff)) {
    throw encodeError(message, `timestamp must be whole seconds in [0, 4294967295], got ${timestamp}; pass Math.floor(ms / 1000)`, {
      field: 3,
      value: timestamp,
    });
  }
}

/** Pebble field numbers, types and labels of `BinPackage`. */
const BIN_PACKAGE = defineMessage<BinPackage>({
  message: MESSAGE,
  fields: [
    [1, 'type', 'enum', 'required', { values: ['DATA', 'CONFIG', 'STATE'] }],
    [2, 'data', 'bytes', 'required'],
    [3, 'timestamp', 'uint32', 'required', { check: (timestamp) => checkTimestamp(MESSAGE, timestamp as number) }],
    [4, 'signature', 'bytes', 'required', { check: (signature) => checkSignatureBytes(signature as Uint8Array) }],
  ],
  writerBytes: 256,
  create: () => ({ type: PackageType.DATA, data: NO_BYTES, timestamp: 0, signature: NO_BYTES }),
  validate: (pkg) => checkSignatureLength(MESSAGE, 4, pkg.signature),
});

function checkSignatureBytes(signature: Uint8Array): void {
  if (signature.length !== SIGNATURE_BYTES) {
    throw encodeError(MESSAGE, `field 4 (signature) must be ${SIGNATURE_BYTES} bytes r‖s, got ${signature.length}; convert DER signatures to compact form`, {
      field: 4,
      length: signature.length,
    });
  }
}

export const writeBinPackage: (writer: ProtoWriter, pkg: BinPackage) => void = BIN_PACKAGE.write;

/** Encodes `pkg` into a fresh array (the writer behind it is reused). */
export const encodeBinPackage: (pkg: BinPackage) => Uint8Array = BIN_PACKAGE.encode;

/**
 * Decodes untrusted bytes. Throws only `CODEC_DECODE_FAILED` PinbenchErrors. `data` and
 * `signature` are views into `bytes` (no copy): copy them if `bytes` is reused. A repeated
 * scalar field keeps its last value (protobuf encoding spec, "Last One Wins").
 */
export const decodeBinPackage: (bytes: Uint8Array) => BinPackage = BIN_PACKAGE.decode;

/** Refuses a decoded signature that is not r‖s, 64 bytes. */
export function checkSignatureLength(message: string, field: number, signature: Uint8Array): void {
  if (signature.length !== SIGNATURE_BYTES) {
    throw decodeError(message, 'bad-signature-length', `signature is ${signature.length} bytes, expected ${SIGNATURE_BYTES} (r‖s)`, {
      field,
      length: signature.length,
    });
  }
}
