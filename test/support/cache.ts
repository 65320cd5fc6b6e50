import { defaultCacheDir } from '../../sim/paths.ts';

/** Tests share the user's circuit/contract cache, so the circuit set-up happens once per machine. */
export const testCacheDir = defaultCacheDir();
