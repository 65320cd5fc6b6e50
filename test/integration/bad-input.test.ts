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
    ).rejects.toThrow('scenario: fleet[0].count: expected a positive integer, got 0');
  });

  const small = { fleet: [{ count: 1 }], epochs: { lengthS: 10, count: 1 }, circuit: { batchSize: 4, readingsPerDevice: 8 } };

  it('error: attached devices in accelerated time are a scenario error that says why', async () => {
    await expect(
      runScenario(
        { name: 'fast', ...small, time: { mode: 'accelerated' }, attached: [{ id: '356938035643809', publicKey: `04${'11'.repeat(64)}`, owner: '0x000000000000000000000000000000000000dEaD' }] },
        { outDir: outDir(), cacheDir: testCacheDir },
      ),
    ).rejects.toThrow('scenario: attached: attached devices run in real time only: a real board keeps wall-clock time and cannot follow an accelerated clock; set time.mode: realtime or remove attached');
  });

  it('error: a malformed listener URL or public key stops the run before anything starts', async () => {
    await expect(runScenario({ name: 'l', ...small }, { outDir: outDir(), cacheDir: testCacheDir, listen: ['mqtts://127.0.0.1'] })).rejects.toThrow(
      'listener "mqtts://127.0.0.1": no port; give one (0 picks a free port)',
    );
    await expect(
      runScenario({ name: 'k', ...small, attached: [{ id: '356938035643809', publicKey: 'nope.pem', owner: '0x000000000000000000000000000000000000dEaD' }] }, { outDir: outDir(), cacheDir: testCacheDir }),
    ).rejects.toThrow('attached[0].publicKey: "nope.pem" is neither a PEM file that exists nor hex');
  });

  it('error: a device awaited with --wait-for that never comes online times out with where its credentials are', async () => {
    const { p256 } = await import('@noble/curves/p256');
    const publicKey = Buffer.from(p256.getPublicKey(p256.utils.randomPrivateKey(), false)).toString('hex');
    await expect(
      runScenario(
        { name: 'wait', ...small, attached: [{ id: '356938035643809', publicKey, owner: '0x000000000000000000000000000000000000dEaD' }] },
        { outDir: outDir(), cacheDir: testCacheDir, homeDir: outDir(), waitFor: ['356938035643809'], waitTimeoutMs: 1500 },
      ),
    ).rejects.toThrow(/^356938035643809 did not come online within 2 s \(their credentials are in .*\/attached\); check the device's URL, login and certificate, or raise --wait-timeout$/);
  }, 120_000);
});
