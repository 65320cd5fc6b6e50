import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { PinbenchError } from '../core/errors.ts';

/** A scenario seed. `42` and `'42'` name the same fleet. */
export type Seed = string | number;

const encoder = new TextEncoder();

export function assertSeed(seed: unknown, option = 'seed'): asserts seed is Seed {
  const ok =
    (typeof seed === 'string' && seed.length > 0) ||
    (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0);
  if (!ok) {
    throw new PinbenchError(
      'CONFIG_INVALID',
      `option \`${option}\`: expected a non-empty string or a non-negative safe integer, got ${JSON.stringify(seed)}; set a scenario seed such as 42`,
      { details: { option, value: seed } },
    );
  }
}

/**
 * Deterministic bytes for (seed, purpose, index, counter): HMAC-SHA256 keyed by the purpose, so
 * every purpose (device key, owner key, IMEI, password…) draws from an independent stream and a
 * new purpose never shifts the values of existing ones.
 */
export function deriveBytes(seed: Seed, purpose: string, index: number, counter = 0): Uint8Array {
  const seedBytes = encoder.encode(String(seed));
  const message = new Uint8Array(seedBytes.length + 9);
  message.set(seedBytes, 0);
  const view = new DataView(message.buffer);
  view.setUint8(seedBytes.length, 0);
  view.setUint32(seedBytes.length + 1, index >>> 0);
  view.setUint32(seedBytes.length + 5, counter >>> 0);
  return hmac(sha256, encoder.encode(`pinbench/v1/${purpose}`), message);
}

/** Four 32-bit words from `deriveBytes`, e.g. to seed a PRNG or faker. */
export function deriveWords(seed: Seed, purpose: string, index: number): [number, number, number, number] {
  const bytes = deriveBytes(seed, purpose, index);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(0), view.getUint32(4), view.getUint32(8), view.getUint32(12)];
}

/**
 * A scalar in [1, n−1] by rejection sampling over HMAC outputs: unbiased, and for P-256 and
 * secp256k1 a retry happens with probability below 2^-32.
 */
export function deriveScalar(seed: Seed, purpose: string, index: number, n: bigint): Uint8Array {
  for (let counter = 0; ; counter++) {
    const candidate = deriveBytes(seed, purpose, index, counter);
    let value = 0n;
    for (const byte of candidate) value = (value << 8n) | BigInt(byte);
    if (value >= 1n && value < n) return candidate;
  }
}
