// A prover process: computes the witness and the Groth16 proof for one batch input at a time.
// A child process rather than a worker thread: snarkjs' own thread pool (web-worker) treats
// any non-main thread as one of its workers. Plain JavaScript, so it needs no loader.
import * as snarkjs from 'snarkjs';
import { watchParent } from '../core/parent-watchdog.js';

process.on('message', async (job) => {
  const started = performance.now();
  const witness = { type: 'mem' };
  try {
    await snarkjs.wtns.calculate(job.input, job.wasmPath, witness);
  } catch (err) {
    process.send({ id: job.id, ok: false, stage: 'witness', message: String(err?.message ?? err).split('\n')[0] });
    return;
  }
  try {
    const { proof, publicSignals } = await snarkjs.groth16.prove(job.zkeyPath, witness);
    process.send({ id: job.id, ok: true, proof, publicSignals, proveMs: performance.now() - started });
  } catch (err) {
    process.send({ id: job.id, ok: false, stage: 'prove', message: String(err?.message ?? err) });
  }
});
// The parent going away (IPC closed, or this process handed to init) ends the prover too.
watchParent({ onParentGone: () => process.exit(0) });
