import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

/** The devices' signing curves in noble, by the names protocol/curves.ts gives them. */
export const nobleCurves = { p256, secp256k1 } as const;
