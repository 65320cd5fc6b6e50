import { afterEach, describe, expect, it } from 'vitest';
import { deriveDeviceKey, signReading } from '../../devices/index.ts';
import { createVerifier, PackageType } from '../../protocol/index.ts';
import { VerifyPool, defaultVerifyWorkers } from '../../backend/ingest/verify-pool.ts';

const key = deriveDeviceKey('verify-pool-test', 0);
const other = deriveDeviceKey('verify-pool-test', 1);
const data = new Uint8Array([0x18, 0x02, 0x20, 0x04]);

function job(timestamp: number, signer = key) {
  return { keyId: 1, type: PackageType.DATA, data, timestamp, signature: signReading(signer, PackageType.DATA, data, timestamp) };
}

const pools: Array<{ close(): Promise<void> }> = [];
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

  it('behavior: close() answers what is outstanding, then leaves no thread running; later jobs are checked on the calling thread', async () => {
    const p = new VerifyPool({ size: 2, batchSize: 2 });
    p.registerKey(1, key.publicKey);
    expect(p.threadIds()).toHaveLength(2);
    let answered = 0;
    for (let i = 0; i < 7; i++) p.submit(job(100 + i), () => (answered += 1));
    await p.close();
    expect(answered).toBe(7);
    expect(p.threadIds()).toEqual([]);
    const after: boolean[] = [];
    p.submit(job(200), (ok) => after.push(ok));
    p.submit(job(201, other), (ok) => after.push(ok));
    expect(after).toEqual([true, false]);
  });

  it('behavior: tokens come back through `answer` in submission order within each batch, and `answered` once per batch', async () => {
    const seen: number[] = [];
    const verdicts = new Map<number, boolean>();
    let batches = 0;
    const p = new VerifyPool<number>({
      size: 1,
      batchSize: 8,
      answer: (token, ok) => {
        seen.push(token);
        verdicts.set(token, ok);
      },
      answered: () => (batches += 1),
    });
    pools.push(p);
    p.registerKey(1, key.publicKey);
    // 20 jobs: batches of 8, 8 and the 4 sent at the end of the turn; a bad signature among good ones in each.
    for (let i = 0; i < 20; i++) {
      const j = i % 7 === 3 ? job(500 + i, other) : job(500 + i);
      p.check(j.keyId, j.type, j.data, j.timestamp, j.signature, i);
    }
    await p.drain();
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...verdicts.values()]).toEqual(Array.from({ length: 20 }, (_, i) => i % 7 !== 3));
    expect(batches).toBe(3);
  });

  it('error: a thread that dies with batches in flight: its jobs are checked on the calling thread, every one answered with its verdict', async () => {
    const errors: Error[] = [];
    const verdicts: Array<boolean | undefined> = [];
    const p = new VerifyPool<number>({ size: 1, batchSize: 4, onError: (e) => errors.push(e), answer: (i, ok) => (verdicts[i] = ok) });
    pools.push(p);
    p.registerKey(1, key.publicKey);
    const jobs = Array.from({ length: 40 }, (_, i) => (i % 6 === 1 ? job(700 + i, other) : job(700 + i)));
    jobs.forEach((j, i) => p.submit(j, i));
    await p.killThreadForTest(0);
    await p.drain();
    expect(verdicts).toEqual(jobs.map((_, i) => i % 6 !== 1));
    expect(errors).toHaveLength(1);
    expect(p.threadIds()).toEqual([]);
    // With no thread left, a new job is checked at once, before submit returns.
    p.submit(job(800), 40);
    p.submit(job(801, other), 41);
    expect(verdicts.slice(40)).toEqual([true, false]);
    expect(p.pending()).toBe(0);
  });

  it('error: signatures at the edges of the DER form (leading zero bytes, high bits, r or s zero, all ones) get the verdict Node gives them', async () => {
    const verifier = createVerifier(key.publicKey);
    const signatures: Array<{ timestamp: number; signature: Uint8Array }> = [];
    // Real signatures whose r or s starts with a zero byte, or with a high bit.
    for (let t = 1; signatures.length < 6 && t < 5000; t++) {
      const s = job(t).signature;
      if (s[0] === 0 || s[32] === 0 || (s[0]! >= 0x80 && signatures.length < 2)) signatures.push({ timestamp: t, signature: s });
    }
    const good = job(42);
    const edge = (fill: (s: Uint8Array) => void) => {
      const s = Uint8Array.from(good.signature);
      fill(s);
      return { timestamp: good.timestamp, signature: s };
    };
    signatures.push(
      edge((s) => s.fill(0, 0, 32)),
      edge((s) => s.fill(0, 32, 64)),
      edge((s) => s.fill(0)),
      edge((s) => s.fill(0xff)),
      edge((s) => s.fill(0, 0, 31)),
      edge((s) => (s[63] ^= 1)),
      { timestamp: good.timestamp, signature: good.signature },
    );
    const p = pool(1, 5);
    const verdicts = await Promise.all(signatures.map(({ timestamp, signature }) => new Promise((r) => p.submit({ ...job(timestamp), signature }, r))));
    expect(verdicts).toEqual(signatures.map(({ timestamp, signature }) => verifier.verify(PackageType.DATA, data, timestamp, signature)));
    expect(verdicts.filter((v) => v === true).length).toBeGreaterThanOrEqual(3);
  });
});
