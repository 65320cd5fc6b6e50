// Signature checks for the ingest's verify pool (verify-pool.ts), batch by batch
// (verify-batch.js). Plain JavaScript on node:crypto only, so the thread starts the same under
// vitest, tsx and plain node without a TypeScript loader in the worker.
import { parentPort } from 'node:worker_threads';
import { importKey, verifyBatch } from './verify-batch.js';

/** key id → KeyObject (null when the registered bytes are not a valid key). */
const keys = new Map();

parentPort.on('message', (message) => {
  if (message.kind === 'keys') {
    for (const entry of message.keys) keys.set(entry.id, importKey(entry.publicKey, entry.crv));
    return;
  }
  const { id, count, bytes } = message;
  const results = new Uint8Array(count);
  verifyBatch(bytes, count, keys, results);
  parentPort.postMessage({ id, results }, [results.buffer]);
});
