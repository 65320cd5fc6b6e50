// tinypool's entry for test/bench/sweep-fast-worker.ts: a worker thread does not inherit the tsx
// loader on Node 20, so this plain module loads the TypeScript one through tsx's API.
import { tsImport } from 'tsx/esm/api';

const { runSweepBenchJob } = await tsImport('./sweep-fast-worker.ts', import.meta.url);
export default runSweepBenchJob;
