import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { JOB_HEADER_BYTES, SIGNATURE_BYTES, importKey, verifyBatch } from './verify-batch.js';

/** One signature check: the key registered under `keyId` over sha256(uint32 BE type ‖ data ‖ uint32 BE timestamp). */
export interface VerifyJob {
  keyId: number;
  type: number;
  data: Uint8Array;
  timestamp: number;
  /** 64 bytes r‖s; any other length is answered `false` without a thread round trip. */
  signature: Uint8Array;
}

/** The verdict of one job. */
export type VerifyDone = (ok: boolean) => void;

export interface VerifyPoolOptions<T> {
  /** Threads; default {@link defaultVerifyWorkers}. */
  size?: number;
  /** Jobs per postMessage at most. */
  batchSize?: number;
  /** Called when a thread fails; its outstanding jobs are then checked on the calling thread. */
  onError?: (error: Error) => void;
  /**
   * Receives each job's verdict with the token it was submitted with, in submission order
   * within a batch (batches of different threads may come back in any order). Default: the
   * token is a {@link VerifyDone} and is called.
   */
  answer?: (token: T, ok: boolean) => void;
  /** Called once after the verdicts of a batch (or of a synchronous answer) were given. */
  answered?: () => void;
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

/** A batch sent to a thread: its bytes are kept until the answer, to check them here if the thread dies. */
interface Batch<T> {
  tokens: T[];
  bytes: Uint8Array;
  slot: Slot;
}

const WORKER_URL = new URL('./verify-worker.js', import.meta.url);
/** Bytes a batch buffer starts with (64 jobs of a 170-byte Pebble reading); it grows as needed. */
const INITIAL_BATCH_BYTES = 16 * 1024;
const MAX_SIGNED_BYTES = 0xffff;

/**
 * ECDSA verification in worker threads. A job is written into the batch being filled as it is
 * submitted (no object per job is kept), and a batch goes to the least busy thread as one
 * postMessage once it holds `batchSize` jobs or at the end of the event-loop turn; a device's
 * public key is sent to every thread once. Verdicts come back per batch, through `answer`, with
 * the token each job was submitted with. When a thread dies, the jobs it held are checked on
 * this thread instead (the pool keeps each batch's bytes until its answer), so every job is
 * answered true or false.
 */
export class VerifyPool<T = VerifyDone> {
  readonly size: number;
  private readonly batchSize: number;
  private readonly slots: Slot[] = [];
  private readonly keys = new Map<number, { publicKey: Uint8Array; crv: string }>();
  /** Keys imported on this thread, for the checks a dead thread left (made when first needed). */
  private localKeys: Map<number, KeyObject | null> | undefined;
  private readonly waiting = new Map<number, Batch<T>>();
  private readonly answer: (token: T, ok: boolean) => void;
  private batch = new Uint8Array(INITIAL_BATCH_BYTES);
  private view = new DataView(this.batch.buffer);
  private batchAt = 0;
  private batchTokens: T[] = [];
  private flushScheduled = false;
  private nextBatchId = 1;
  private outstanding = 0;
  private idleResolvers: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: VerifyPoolOptions<T> = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultVerifyWorkers()));
    this.batchSize = Math.max(1, options.batchSize ?? 64);
    this.answer = options.answer ?? ((token, ok) => (token as unknown as VerifyDone)(ok));
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, inFlight: 0, alive: true };
    worker.on('message', (message: { id: number; results: Uint8Array }) => {
      slot.inFlight -= 1;
      if (slot.inFlight === 0) worker.unref();
      const batch = this.waiting.get(message.id);
      if (batch === undefined) return;
      this.waiting.delete(message.id);
      this.settle(batch.tokens, message.results);
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

  /** A thread failed: what it held is checked here, in batch order. */
  private fail(slot: Slot, error: Error): void {
    if (!slot.alive) return;
    slot.alive = false;
    this.options.onError?.(error);
    for (const [id, batch] of [...this.waiting]) {
      if (batch.slot !== slot) continue;
      this.waiting.delete(id);
      this.settle(batch.tokens, this.checkHere(batch.bytes, batch.tokens.length));
    }
  }

  private checkHere(bytes: Uint8Array, count: number): Uint8Array {
    if (this.localKeys === undefined) {
      this.localKeys = new Map();
      for (const [id, { publicKey, crv }] of this.keys) this.localKeys.set(id, importKey(publicKey, crv));
    }
    const results = new Uint8Array(count);
    verifyBatch(bytes, count, this.localKeys, results);
    return results;
  }

  private settle(tokens: T[], results: Uint8Array): void {
    this.outstanding -= tokens.length;
    for (let i = 0; i < tokens.length; i++) this.answer(tokens[i]!, results[i] === 1);
    this.options.answered?.();
    this.resolveIdle();
  }

  /** Registers (once) the 65-byte uncompressed key that jobs name by `keyId`. */
  registerKey(keyId: number, publicKey: Uint8Array, curve: VerifyCurve = 'p256'): void {
    if (this.keys.has(keyId)) return;
    const entry = { id: keyId, publicKey: Uint8Array.from(publicKey), crv: JWK_CURVES[curve] };
    this.keys.set(keyId, entry);
    this.localKeys?.set(keyId, importKey(entry.publicKey, entry.crv));
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

  submit(job: VerifyJob, token: T): void {
    this.check(job.keyId, job.type, job.data, job.timestamp, job.signature, token);
  }

  /** {@link submit} without a job object: the bytes are copied into the batch now, the views are not kept. */
  check(keyId: number, type: number, data: Uint8Array, timestamp: number, signature: Uint8Array, token: T): void {
    const length = data.length + 8;
    if (signature.length !== SIGNATURE_BYTES || !this.keys.has(keyId) || length > MAX_SIGNED_BYTES) {
      this.answer(token, false);
      this.options.answered?.();
      return;
    }
    const jobBytes = JOB_HEADER_BYTES + length + SIGNATURE_BYTES;
    if (this.batchAt + jobBytes > this.batch.length) this.growBatch(jobBytes);
    // The signed message is written in place: uint32 BE type ‖ data ‖ uint32 BE timestamp.
    const view = this.view;
    let at = this.batchAt;
    view.setUint32(at, keyId);
    view.setUint16(at + 4, length);
    at += JOB_HEADER_BYTES;
    view.setUint32(at, type);
    this.batch.set(data, at + 4);
    view.setUint32(at + 4 + data.length, timestamp >>> 0);
    at += length;
    this.batch.set(signature, at);
    this.batchAt = at + SIGNATURE_BYTES;
    this.batchTokens.push(token);
    this.outstanding += 1;
    if (this.closed || !this.slots.some((s) => s.alive)) {
      this.flush();
      return;
    }
    if (this.batchTokens.length >= this.batchSize) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private growBatch(needed: number): void {
    const bigger = new Uint8Array(Math.max(this.batch.length * 2, this.batchAt + needed));
    bigger.set(this.batch.subarray(0, this.batchAt));
    this.batch = bigger;
    this.view = new DataView(bigger.buffer);
  }

  /** Sends the jobs collected so far without waiting for a full batch. */
  flush(): void {
    const tokens = this.batchTokens;
    if (tokens.length === 0) return;
    const bytes = this.batch.slice(0, this.batchAt);
    this.batchTokens = [];
    this.batchAt = 0;
    let slot: Slot | undefined;
    if (!this.closed) for (const s of this.slots) if (s.alive && (slot === undefined || s.inFlight < slot.inFlight)) slot = s;
    if (slot === undefined) {
      // No thread left (or closed): checked here, now.
      this.settle(tokens, this.checkHere(bytes, tokens.length));
      return;
    }
    const id = this.nextBatchId++;
    this.waiting.set(id, { tokens, bytes, slot });
    if (slot.inFlight === 0) slot.worker.ref();
    slot.inFlight += 1;
    // Copied by the structured clone (exactly its bytes: `bytes` owns its buffer); ours stays for a failure.
    slot.worker.postMessage({ kind: 'verify', id, count: tokens.length, bytes });
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

  /** Answers what is outstanding, then stops every thread. Jobs submitted afterwards are checked on the calling thread. */
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

  /** Terminates one thread as if it had crashed (tests: its jobs must still be answered). */
  killThreadForTest(index = 0): Promise<number> {
    return this.slots[index]!.worker.terminate();
  }
}
