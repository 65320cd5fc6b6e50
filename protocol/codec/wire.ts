import { PinbenchError } from '../../core/errors.ts';

/** Protobuf wire types (protobuf encoding spec, "Message Structure"). */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

const WIRE_NAMES = ['varint', 'i64', 'len', 'sgroup', 'egroup', 'i32'];
export const wireTypeName = (wireType: number): string => WIRE_NAMES[wireType] ?? `invalid(${wireType})`;

/** Stable reason codes of `CODEC_DECODE_FAILED` errors (in `details.reason`). */
export type DecodeReason =
  | 'truncated-varint'
  | 'varint-too-long'
  | 'varint-overflow'
  | 'truncated-field'
  | 'invalid-wire-type'
  | 'invalid-field-number'
  | 'trailing-garbage'
  | 'unexpected-end-group'
  | 'group-too-deep'
  | 'wrong-wire-type'
  | 'missing-required-field'
  | 'bad-signature-length'
  | 'unknown-enum-value'
  | 'invalid-utf8'
  | 'invalid-value'
  | 'invalid-json'
  | 'unknown-field';

export function decodeError(
  message: string,
  reason: DecodeReason,
  what: string,
  details: Record<string, unknown> = {},
): PinbenchError {
  return new PinbenchError(
    'CODEC_DECODE_FAILED',
    `cannot decode ${message}: ${what}; drop the payload and check that the sender speaks the Pebble Tracker v2 format`,
    { details: { message, reason, ...details } },
  );
}

export function encodeError(message: string, what: string, details: Record<string, unknown> = {}): PinbenchError {
  return new PinbenchError('CODEC_ENCODE_FAILED', `cannot encode ${message}: ${what}`, { details: { message, ...details } });
}
