import type { KeyObject } from 'node:crypto';

export declare const JOB_HEADER_BYTES: number;
export declare const SIGNATURE_BYTES: number;
/** The 65-byte uncompressed key as a KeyObject, or null when it is not a point on `crv` (a JWK curve name). */
export declare function importKey(publicKey: Uint8Array, crv: string): KeyObject | null;
/** Checks `count` jobs of `bytes` with `keys` (id → KeyObject or null); writes 1/0 per job into `results`. */
export declare function verifyBatch(bytes: Uint8Array, count: number, keys: ReadonlyMap<number, KeyObject | null>, results: Uint8Array): void;
