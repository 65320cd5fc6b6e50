import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PinbenchError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/ports.ts';
import type { CircuitArtifacts } from './build.ts';
import { proofWords, type BatchProof } from './prove.ts';
import type { Groth16Proof } from './snarkjs.ts';
import type { BatchCircuitInput } from './witness.ts';

export interface ProverPoolOptions {
  artifacts: CircuitArtifacts;
  /**
   * Prover processes. snarkjs already spreads one proof over every core, so the default is one
   * prover per two cores (at least one): more would only oversubscribe them.
   */
  size?: number;
  /** Attempts per job when a prover process crashes (a witness the circuit rejects is not retried). */
  maxAttempts?: number;
  logger?: Logger;
}

type Reply =
  | { id: number; ok: true; proof: Groth16Proof; publicSignals: string[]; proveMs: number }
  | { id: number; ok: false; stage: 'witness' | 'prove'; message: string };

interface Job {
  id: number;
  input: BatchCircuitInput;
  attempts: number;
  resolve: (proof: BatchProof) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: ChildProcess;
  job: Job | undefined;
}

const WORKER_FILE = fileURLToPath(new URL('./prove-worker.js', import.meta.url));

export function defaultProverThreads(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

/**
 * Groth16 proofs in prover processes, off the main event loop (where witness calculation would
 * stall devices' timers and the ingest). Jobs wait in a queue for a free prover; a prover that
 * dies is replaced and its job retried.
 */
export class ProverPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly maxAttempts: number;
  private readonly logger: Logger;

  constructor(private readonly options: ProverPoolOptions) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.logger = options.logger ?? silentLogger;
    const size = options.size ?? defaultProverThreads();
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Prover processes. */
  get size(): number {
    return this.slots.length;
  }

  /** Process ids of the live prover processes (the run counts their memory). */
  pids(): number[] {
    return this.slots.flatMap((slot) => (slot.worker.pid !== undefined && slot.worker.exitCode === null && slot.worker.signalCode === null ? [slot.worker.pid] : []));
  }

  /** Jobs waiting for a prover (not counting the ones being proven). */
  queued(): number {
    return this.queue.length;
  }

  prove(input: BatchCircuitInput): Promise<BatchProof> {
    if (this.closed) return Promise.reject(new PinbenchError('PROVER_CLOSED', 'the prover pool is closed; create a new one'));
    return new Promise<BatchProof>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, attempts: 0, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new PinbenchError('PROVER_CLOSED', 'the prover pool closed before this batch was proven'));
    await Promise.all(this.slots.map((slot) => stopProcess(slot.worker)));
  }

  private spawn(): Slot {
    // No loader flags: the prover is plain JavaScript, whatever runs this process (tsx, vitest).
    const worker = fork(WORKER_FILE, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (reply: Reply) => this.finish(slot, reply));
    worker.on('error', (error) => this.crashed(slot, error));
    worker.on('exit', (code, signal) => {
      if (!this.closed) this.crashed(slot, new Error(`prover process exited (${signal ?? `code ${code}`})`));
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job !== undefined) continue;
      const job = this.queue.shift();
      if (job === undefined) return;
      job.attempts += 1;
      slot.job = job;
      const { wasmPath, zkeyPath } = this.options.artifacts;
      slot.worker.send({ id: job.id, input: job.input, wasmPath, zkeyPath });
    }
  }

  private finish(slot: Slot, reply: Reply): void {
    const job = slot.job;
    if (job === undefined || job.id !== reply.id) return;
    slot.job = undefined;
    if (reply.ok) {
      job.resolve({
        proof: reply.proof,
        publicSignals: reply.publicSignals,
        proofWords: proofWords(reply.proof),
        proveMs: reply.proveMs,
      });
    } else if (reply.stage === 'witness') {
      job.reject(
        new PinbenchError(
          'PROOF_WITNESS_REJECTED',
          `the batch input does not satisfy the circuit (${reply.message}); build the input with buildBatchWitness from the same readings, flags and params, for a circuit of the same batchSize/readingsPerDevice`,
          { details: { epoch: job.input.epoch, batch: job.input.batch, key: this.options.artifacts.key } },
        ),
      );
    } else {
      job.reject(new PinbenchError('PROOF_FAILED', `groth16 proving failed with ${this.options.artifacts.zkeyPath} (${reply.message}); rebuild the circuit with buildCircuit`));
    }
    this.dispatch();
  }

  private crashed(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    const job = slot.job;
    slot.job = undefined;
    void stopProcess(slot.worker);
    this.slots[index] = this.spawn();
    if (job !== undefined) {
      if (job.attempts < this.maxAttempts) {
        this.logger.warn(`prover process crashed (${error.message}); retrying batch ${String(job.input.batch)} of epoch ${String(job.input.epoch)}`);
        this.queue.unshift(job);
      } else {
        job.reject(new PinbenchError('PROOF_WORKER_CRASHED', `the prover process crashed ${job.attempts} times on this batch (${error.message}); check memory and the circuit artifacts`, { cause: error }));
      }
    }
    this.dispatch();
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}
