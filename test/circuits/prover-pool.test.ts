import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBatchWitness, buildCircuit, proofWords, ProverPool, shutdownProver, verifyBatchProof, type CircuitArtifacts } from '../../circuits/index.ts';
import { SMALL_SHAPE } from '../../core/reward-rule.ts';
import { testCacheDir } from '../support/cache.ts';

const params = { unitsPerSample: 1000n, maxStepE7: 20_000n, rewardPerUnitWei: 1n };
// Tests never build the default 32×4 shape (it needs a 2^15 ptau).
const shape = SMALL_SHAPE;

function witnessFor(epoch: number) {
  const readings = [0, 1, 2].map((i) => ({ latE7: 525_000_000 + i * 900, lonE7: 134_000_000 + i * 700, timestampS: 1_767_225_600 + i * 10 }));
  return buildBatchWitness({ epoch, batch: 0, params, devices: [{ deviceIndex: 1, readings }, { deviceIndex: 2, readings: readings.slice(0, 1) }] }, shape);
}

describe('prover pool', () => {
  let artifacts: CircuitArtifacts;
  let pool: ProverPool;

  beforeAll(async () => {
    artifacts = await buildCircuit({ cacheDir: testCacheDir, ...shape });
    pool = new ProverPool({ artifacts, size: 1 });
  }, 900_000);

  afterAll(async () => {
    await pool?.close();
    await shutdownProver();
  });

  it('behavior: proofs from the pool verify and carry the witness public signals', async () => {
    const witnesses = [witnessFor(1), witnessFor(2)];
    const proofs = await Promise.all(witnesses.map((w) => pool.prove(w.input)));
    for (const [i, proof] of proofs.entries()) {
      expect(proof.publicSignals).toEqual(witnesses[i]!.publicSignals.map(String));
      expect(await verifyBatchProof(artifacts, proof.proof, proof.publicSignals)).toBe(true);
      expect(proof.proofWords).toEqual(proofWords(proof.proof));
      expect(proof.proofWords).toHaveLength(8);
      expect(proof.proveMs).toBeGreaterThan(0);
    }
  }, 120_000);

  it('behavior: a prover process that dies is replaced and its job retried', async () => {
    const proving = pool.prove(witnessFor(3).input);
    // Kill the prover while it works on the job; the pool must respawn it and prove again.
    const slot = (pool as unknown as { slots: Array<{ worker: { kill(signal: string): void } }> }).slots[0]!;
    slot.worker.kill('SIGKILL');
    const proof = await proving;
    expect(await verifyBatchProof(artifacts, proof.proof, proof.publicSignals)).toBe(true);
  }, 120_000);

  it('error: an input the circuit rejects is reported, not retried', async () => {
    const { input } = witnessFor(4);
    // One unit more for the first device than its readings give.
    const tampered = { ...input, lane: input.lane.map((l, i) => (i === 0 ? (BigInt(l) + 1n).toString() : l)) };
    await expect(pool.prove(tampered)).rejects.toMatchObject({
      code: 'PROOF_WITNESS_REJECTED',
      message: expect.stringMatching(/^the batch input does not satisfy the circuit \(.*\); build the input with buildBatchWitness from the same readings, flags and params, for a circuit of the same batchSize\/readingsPerDevice$/),
    });
  }, 120_000);

  it('error: a closed pool refuses new jobs', async () => {
    const closed = new ProverPool({ artifacts, size: 1 });
    await closed.close();
    await expect(closed.prove(witnessFor(5).input)).rejects.toThrow('the prover pool is closed; create a new one');
  });
});
