import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/index.ts';
import { testCacheDir } from '../support/cache.ts';

const outDir = () => mkdtempSync(join(tmpdir(), 'pinbench-bad-'));

describe('integration: bad input stops a run with a clear error', () => {
  it('error: a missing powers-of-tau file is named, and the chain started beside it is stopped', async () => {
    await expect(runScenario('scenarios/smoke.yaml', { outDir: outDir(), cacheDir: testCacheDir, ptauPath: '/nonexistent/x.ptau' })).rejects.toThrow(
      'ptauPath /nonexistent/x.ptau: file not found; pass an existing prepared .ptau file or omit ptauPath to make one locally',
    );
  });

  it('error: an unreachable RPC endpoint says what to do', async () => {
    await expect(runScenario('scenarios/smoke.yaml', { outDir: outDir(), cacheDir: testCacheDir, rpcUrl: 'http://127.0.0.1:9' })).rejects.toThrow(
      /^could not reach RPC at http:\/\/127\.0\.0\.1:9: .*; start a node or omit --rpc$/,
    );
  });

  it('error: a scenario object with a bad field is refused before anything starts', async () => {
    await expect(
      runScenario(
        { name: 'bad', fleet: [{ count: 0 }], epochs: { lengthS: 10, count: 1 }, circuit: { batchSize: 4, readingsPerDevice: 8 } },
        { outDir: outDir(), cacheDir: testCacheDir },
      ),
    ).rejects.toThrow('scenario: option `fleet[0].count`: expected a positive integer, got 0');
  });
});
