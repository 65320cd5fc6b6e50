import { afterEach, describe, expect, it } from 'vitest';
import { deriveDeviceKey, signReading } from '../../devices/index.ts';
import { PackageType } from '../../protocol/index.ts';
import { VerifyPool, defaultVerifyWorkers } from '../../backend/ingest/verify-pool.ts';

const key = deriveDeviceKey('verify-pool-test', 0);
const other = deriveDeviceKey('verify-pool-test', 1);
const data = new Uint8Array([0x18, 0x02, 0x20, 0x04]);

function job(timestamp: number, signer = key) {
  return { keyId: 1, type: PackageType.DATA, data, timestamp, signature: signReading(signer, PackageType.DATA, data, timestamp) };
}

const pools: VerifyPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

function pool(size: number, batchSize = 4): VerifyPool {
  const p = new VerifyPool({ size, batchSize });
  pools.push(p);
  p.registerKey(1, key.publicKey, 'p256');
  return p;
}

describe('VerifyPool', () => {
  it('args: default size is the cores minus one for the main loop, at least one', () => {
    expect(defaultVerifyWorkers()).toBeGreaterThanOrEqual(1);
  });

  it('behavior: answers every job of several batches across threads, each with its own verdict', async () => {
    const p = pool(2, 4);
    const verdicts: Array<boolean | undefined> = [];
    const jobs = Array.from({ length: 21 }, (_, i) => (i % 5 === 3 ? job(1000 + i, other) : job(1000 + i)));
    jobs.forEach((j, i) => p.submit(j, (ok) => (verdicts[i] = ok)));
    await p.drain();
    expect(verdicts).toEqual(jobs.map((_, i) => i % 5 !== 3));
    expect(p.pending()).toBe(0);
  });

  it('error: a forged or truncated signature, or an unknown key, is rejected', async () => {
    const p = pool(1);
    const forged = job(5, other);
    const truncated = { ...job(6), signature: job(6).signature.subarray(0, 63) };
    const tampered = { ...job(7), timestamp: 8 };
    const unknown = { ...job(9), keyId: 42 };
    const verdicts = await Promise.all([forged, truncated, tampered, unknown, job(10)].map((j) => new Promise((r) => p.submit(j, r))));
    expect(verdicts).toEqual([false, false, false, false, true]);
  });

  it('behavior: close() answers what is outstanding, then leaves no thread running', async () => {
    const p = new VerifyPool({ size: 2, batchSize: 2 });
    p.registerKey(1, key.publicKey);
    expect(p.threadIds()).toHaveLength(2);
    let answered = 0;
    for (let i = 0; i < 7; i++) p.submit(job(100 + i), () => (answered += 1));
    await p.close();
    expect(answered).toBe(7);
    expect(p.threadIds()).toEqual([]);
    let after: boolean | undefined | null = null;
    p.submit(job(200), (ok) => (after = ok));
    expect(after).toBeUndefined();
  });
});
