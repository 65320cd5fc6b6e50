// The prover bench's baseline: `snarkjs.groth16.fullProve` (what `snarkjs groth16 fullprove`
// runs) in a process of its own that stays up like a pool prover, so that both are warm; each
// job is timed from its arrival to the proof.
import * as snarkjs from 'snarkjs';

process.on('message', async (job) => {
  const started = performance.now();
  try {
    await snarkjs.groth16.fullProve(job.input, job.wasmPath, job.zkeyPath);
    process.send({ ms: performance.now() - started });
  } catch (err) {
    process.send({ error: String(err?.message ?? err) });
  }
});
process.on('disconnect', () => process.exit(0));
