import { createHash } from 'node:crypto';

/**
 * First 8 bytes of sha256(payload): the name both sides give one published payload, so that
 * every acknowledged publish the bench counted can be found accepted or rejected in run.db.
 */
export function payloadDigest(payload: Uint8Array): Buffer {
  return createHash('sha256').update(payload).digest().subarray(0, 8);
}
