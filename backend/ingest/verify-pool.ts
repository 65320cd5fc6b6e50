import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** One signature check: the key registered under `keyId` over sha256(uint32 BE type ‖ data ‖ uint32 BE timestamp). */
export interface VerifyJob {
  keyId: number;
  type: number;
  data: Uint8Array;
  timestamp: number;
  /** 64 bytes r‖s; any other length is answered `false` without a thread round trip. */
  signature: Uint8Array;
}

/** `true`/`false` is the verdict; `undefined` means the pool could not check it (a thread died): verify inline. */
export type VerifyDone = (ok: boolean | undefined) => void;

export interface VerifyPoolOptions {
  /** Threads; default {@link defaultVerifyWorkers}. */
  size?: number;
  /** Jobs per postMessage. */
  batchSize?: number;
  /** Called when a thread fails; its outstanding jobs are answered `undefined`. */
  onError?: (error: Error) => void;
}

export const JWK_CURVES = { p256: 'P-256', secp256k1: 'secp256k1' } as const;
export type VerifyCurve = keyof typeof JWK_CURVES;

/** One thread per core, minus one for the main loop (broker, ingest, SQLite), at least one. */
export function defaultVerifyWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

interface Slot {
  worker: Worker;
  inFlight: number;
  alive: boolean;
}

const WORKER_URL = new URL('./verify-worker.js', import.meta.url);
const JOB_HEADER_BYTES = 6;
const SIGNATURE_BYTES = 64;

/**
 * ECDSA verification in worker threads. Jobs are batched (one postMessage and one transferred
 * buffer per `batchSize` jobs, or per turn of the event loop when fewer arrive); a device's
 * public key is sent to every thread once. Answers come back per batch, in any order across
 * threads; callers that need an order (the ingest) restore it themselves.
 */
export class VerifyPool {
  readonly size: number;
  private readonly batchSize: number;
  private readonly slots: Slot[] = [];
  private readonly keys = new Map<number, { publicKey: Uint8Array; crv: string }>();
  /** batch id → the callbacks of its jobs, in job order, and the thread it went to. */
  private readonly waiting = new Map<number, { dones: VerifyDone[]; slot: Slot }>();
  private batchJobs: VerifyJob[] = [];
  private batchDone: VerifyDone[] = [];
  private flushScheduled = false;
  private nextBatchId = 1;
  private outstanding = 0;
  private idleResolvers: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: VerifyPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultVerifyWorkers()));
    this.batchSize = Math.max(1, options.batchSize ?? 64);
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, inFlight: 0, alive: true };
    worker.on('message', (message: { id: number; results: Uint8Array }) => {
      slot.inFlight -= 1;
      if (slot.inFlight === 0) worker.unref();
      this.settle(message.id, (i) => message.results[i] === 1);
    });
    worker.on('error', (error) => this.fail(slot, error));
    worker.on('exit', (code) => {
      if (slot.alive && !this.closed) this.fail(slot, new Error(`verify thread exited with code ${code}`));
    });
    // An idle thread does not keep the process alive (a run that forgets close() still exits);
    // one with batches in flight does, so awaiting drain() is enough.
    worker.unref();
    return slot;
  }

  private fail(slot: Slot, error: Error): void {
    if (!slot.alive) return;
    slot.alive = false;
    this.options.onError?.(error);
    for (const [id, batch] of [...this.waiting]) if (batch.slot === slot) this.settle(id, () => undefined);
  }

  private settle(batchId: number, verdict: (i: number) => boolean | undefined): void {
    const batch = this.waiting.get(batchId);
    if (batch === undefined) return;
    this.waiting.delete(batchId);
    const { dones } = batch;
    this.outstanding -= dones.length;
    for (let i = 0; i < dones.length; i++) dones[i]!(verdict(i));
    this.resolveIdle();
  }

  /** Registers (once) the 65-byte uncompressed key that jobs name by `keyId`. */
  registerKey(keyId: number, publicKey: Uint8Array, curve: VerifyCurve = 'p256'): void {
    if (this.keys.has(keyId)) return;
    const entry = { id: keyId, publicKey: Uint8Array.from(publicKey), crv: JWK_CURVES[curve] };
    this.keys.set(keyId, entry);
    // Keys go out before any batch that uses them: a thread's messages arrive in order.
    for (const slot of this.slots) if (slot.alive) slot.worker.postMessage({ kind: 'keys', keys: [entry] });
  }

  hasKey(keyId: number): boolean {
    return this.keys.has(keyId);
  }

  /** Jobs submitted and not yet answered. */
  pending(): number {
    return this.outstanding;
  }

  submit(job: VerifyJob, done: VerifyDone): void {
    if (job.signature.length !== SIGNATURE_BYTES || !this.keys.has(job.keyId)) {
      done(false);
      return;
    }
    if (this.closed || !this.slots.some((s) => s.alive)) {
      done(undefined);
      return;
    }
    this.outstanding += 1;
    this.batchJobs.push(job);
    this.batchDone.push(done);
    if (this.batchJobs.length >= this.batchSize) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Sends the jobs collected so far without waiting for a full batch. */
  flush(): void {
    const jobs = this.batchJobs;
    if (jobs.length === 0) return;
    const dones = this.batchDone;
    this.batchJobs = [];
    this.batchDone = [];
    let slot: Slot | undefined;
    for (const s of this.slots) if (s.alive && (slot === undefined || s.inFlight < slot.inFlight)) slot = s;
    if (slot === undefined) {
      this.outstanding -= dones.length;
      for (const done of dones) done(undefined);
      this.resolveIdle();
      return;
    }
    let bytes = 0;
    for (const job of jobs) bytes += JOB_HEADER_BYTES + job.data.length + 8 + SIGNATURE_BYTES;
    const buffer = new ArrayBuffer(bytes);
    const out = new Uint8Array(buffer);
    const view = new DataView(buffer);
    let at = 0;
    for (const job of jobs) {
      // The signed message is written in place: uint32 BE type ‖ data ‖ uint32 BE timestamp.
      const length = job.data.length + 8;
      view.setUint32(at, job.keyId);
      view.setUint16(at + 4, length);
      at += JOB_HEADER_BYTES;
      view.setUint32(at, job.type);
      out.set(job.data, at + 4);
      view.setUint32(at + 4 + job.data.length, job.timestamp >>> 0);
      at += length;
      out.set(job.signature, at);
      at += SIGNATURE_BYTES;
    }
    const id = this.nextBatchId++;
    this.waiting.set(id, { dones, slot });
    if (slot.inFlight === 0) slot.worker.ref();
    slot.inFlight += 1;
    slot.worker.postMessage({ kind: 'verify', id, count: jobs.length, buffer }, [buffer]);
  }

  private resolveIdle(): void {
    if (this.outstanding > 0 || this.idleResolvers.length === 0) return;
    const resolvers = this.idleResolvers;
    this.idleResolvers = [];
    for (const resolve of resolvers) resolve();
  }

  /** Resolves once every submitted job has been answered. */
  drain(): Promise<void> {
    this.flush();
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleResolvers.push(resolve));
  }

  /** Answers what is outstanding, then stops every thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    await Promise.all(
      this.slots.map((slot) => {
        slot.alive = false;
        return slot.worker.terminate();
      }),
    );
  }

  /** Thread ids of the live workers (tests check that close leaves none). */
  threadIds(): number[] {
    return this.slots.filter((s) => s.alive).map((s) => s.worker.threadId);
  }
}
