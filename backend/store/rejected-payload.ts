import { createHash } from 'node:crypto';

/**
 * How much of a rejected payload run.db keeps. A Pebble reading (~150 B protobuf, a few hundred
 * B in its JSON form) fits whole, so a refused reading can still be decoded and audited; anything
 * longer keeps this prefix with its full
 * length and sha256, so a device with stolen credentials cannot grow run.db by what it sends
 * (the broker's packet cap bounds it too, but rejections also come from other brokers).
 */
export const REJECTED_PAYLOAD_PREFIX_BYTES = 1024;

export interface StoredRejectedPayload {
  readonly prefix: Uint8Array;
  readonly length: number;
  readonly sha256: Buffer;
}

export function rejectedPayloadToStore(payload: Uint8Array): StoredRejectedPayload {
  return {
    prefix: payload.subarray(0, REJECTED_PAYLOAD_PREFIX_BYTES),
    length: payload.length,
    sha256: createHash('sha256').update(payload).digest(),
  };
}

/**
 * Columns added to `rejections` after run.dbs were written without them: added in place when an
 * older run.db is opened (by `pinbench resume`), NULL in its older rows.
 */
export const REJECTIONS_ADDED_COLUMNS = [
  ['payload_length', 'INTEGER'],
  ['payload_sha256', 'BLOB'],
] as const;
