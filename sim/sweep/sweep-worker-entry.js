// tinypool's entry for sim/sweep/sweep-worker.ts: a worker thread does not inherit the tsx loader
// on Node 20, so this plain module loads the TypeScript one through tsx's API.
import { tsImport } from 'tsx/esm/api';

const { default: sweepWorker } = await tsImport('./sweep-worker.ts', import.meta.url);
export default sweepWorker;
