// Signature checks for the ingest's verify pool (verify-pool.ts). Plain JavaScript on
// node:crypto only, so the thread starts the same under vitest, tsx and plain node without a
// TypeScript loader in the worker.
import { parentPort } from 'node:worker_threads';
import { createPublicKey, verify } from 'node:crypto';

/** key id → { key, dsaEncoding } (null when the registered bytes are not a valid key). */
const keys = new Map();

function importKey(publicKey, crv) {
  const b64 = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  try {
    const key = createPublicKey({
      key: { kty: 'EC', crv, x: b64(publicKey.subarray(1, 33)), y: b64(publicKey.subarray(33, 65)) },
      format: 'jwk',
    });
    // ieee-p1363: the devices send raw r‖s, not DER.
    return { key, dsaEncoding: 'ieee-p1363' };
  } catch {
    return null;
  }
}

parentPort.on('message', (message) => {
  if (message.kind === 'keys') {
    for (const entry of message.keys) keys.set(entry.id, importKey(entry.publicKey, entry.crv));
    return;
  }
  // A batch: per job uint32 key id, uint16 length, the signed message, 64 signature bytes.
  const { id, count, buffer } = message;
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const results = new Uint8Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const key = keys.get(view.getUint32(at));
    const length = view.getUint16(at + 4);
    at += 6;
    const signed = bytes.subarray(at, at + length);
    at += length;
    const signature = bytes.subarray(at, at + 64);
    at += 64;
    results[i] = key != null && verify('sha256', signed, key, signature) ? 1 : 0;
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
