// One batch of signature checks, shared by the verify threads (verify-worker.js) and by the
// pool's check on the main loop when a thread has died (verify-pool.ts). Plain JavaScript on
// node:crypto only, so a thread starts the same under vitest, tsx and plain node without a
// TypeScript loader in the worker.
//
// A batch is, per job: uint32 BE key id, uint16 BE length, the signed message (uint32 BE type ‖
// data ‖ uint32 BE timestamp) of that length, and the 64-byte r‖s signature.
import { createPublicKey, verify } from 'node:crypto';

export const JOB_HEADER_BYTES = 6;
export const SIGNATURE_BYTES = 64;

/** The 65-byte uncompressed key as a KeyObject, or null when it is not a point on `crv`. */
export function importKey(publicKey, crv) {
  const b64 = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  try {
    return createPublicKey({
      key: { kty: 'EC', crv, x: b64(publicKey.subarray(1, 33)), y: b64(publicKey.subarray(33, 65)) },
      format: 'jwk',
    });
  } catch {
    return null;
  }
}

const der = Buffer.alloc(2 + 2 * (2 + 33));

/**
 * r‖s as the DER SEQUENCE of two INTEGERs OpenSSL verifies, in a shared scratch buffer (valid
 * until the next call). Minimal encoding (leading zero bytes dropped, one 0x00 added before a
 * high bit), as Node's own ieee-p1363 conversion writes it; doing it here spares that
 * conversion and Node's option parsing on every call.
 */
function derSignature(bytes, at) {
  let out = 2;
  for (let half = 0; half < 2; half++) {
    let i = at + half * 32;
    const end = i + 32;
    while (i < end - 1 && bytes[i] === 0) i++;
    const pad = bytes[i] >= 0x80 ? 1 : 0;
    der[out] = 0x02;
    der[out + 1] = end - i + pad;
    out += 2;
    if (pad === 1) der[out++] = 0;
    for (; i < end; i++) der[out++] = bytes[i];
  }
  der[0] = 0x30;
  der[1] = out - 2;
  return der.subarray(0, out);
}

/** Checks `count` jobs of `bytes` with `keys` (id → KeyObject or null); writes 1/0 per job into `results`. */
export function verifyBatch(bytes, count, keys, results) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const key = keys.get(view.getUint32(at));
    const length = view.getUint16(at + 4);
    at += JOB_HEADER_BYTES;
    const signed = bytes.subarray(at, at + length);
    at += length;
    results[i] = key != null && verify('sha256', signed, key, derSignature(bytes, at)) ? 1 : 0;
    at += SIGNATURE_BYTES;
  }
}
