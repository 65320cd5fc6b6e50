import { payloadDigest } from '../../protocol/payload-digest.ts';
import { DEFAULT_TOPICS, type TopicLayout } from '../../protocol/topics.ts';
import type { RunStore } from '../store/run-store.ts';
import { rejectionKind, type RejectionReason } from './reasons.ts';
import { VerifyPool, type VerifyCurve } from './verify-pool.ts';

/** What the ingest needs to read and check a Pebble package (backend/ingest/pebble-codec.ts gives protocol/codec). */
export interface IngestCodec {
  /** Throws on malformed bytes. */
  decodePackage(bytes: Uint8Array): { type: number; data: Uint8Array; timestamp: number; signature: Uint8Array };
  /** Throws on malformed bytes. */
  decodeSensorData(bytes: Uint8Array): { latitude?: number; longitude?: number };
  /**
   * The package run.db keeps for an accepted reading when the payload is not the BinPackage
   * itself (codec `json`: its canonical protobuf form, backend/ingest/json-codec.ts). Absent:
   * the payload as published.
   */
  storedPackage?(pkg: { type: number; data: Uint8Array; timestamp: number; signature: Uint8Array }): Uint8Array;
}

export interface IngestDevice {
  readonly index: number;
  /** Checks the 64-byte r‖s signature over sha256(type ‖ data ‖ timestamp) with the registered key. */
  verify(type: number, data: Uint8Array, timestamp: number, signature: Uint8Array): boolean;
  /** The 65-byte uncompressed key `verify` uses; when given (with a verify pool), the check runs in a worker thread. */
  readonly publicKey?: Uint8Array;
  readonly curve?: VerifyCurve;
}

export interface IngestOptions {
  /** Where verdicts go: run.db in a run; the sweep's calibration keeps them in memory (sim/sweep/). */
  store: Pick<RunStore, 'addReading' | 'addRejection'>;
  codec: IngestCodec;
  devices: ReadonlyMap<string, IngestDevice>;
  /** Which epoch a reading's timestamp falls in; null outside the run (backend/epochs/calendar.ts). */
  calendar: { epochOf(timestampS: number): number | null };
  maxClockSkewS: number;
  /** Where readings arrive; default the Pebble firmware's layout. */
  topics?: TopicLayout;
  /** Simulated time (the devices' clock), ms. */
  simNowMs: () => number;
  /** Wall time, ms, for stored receive times. */
  wallNowMs: () => number;
  /**
   * Told of every accepted reading, with its payload as published and its payload digest, at
   * wall time `acceptedMs`: the bench pairs it with the time its device sent it (publish →
   * accept latency). The backend itself never knows when a device sent something.
   */
  onAccepted?: (clientId: string, digest: Uint8Array, payload: Uint8Array, acceptedMs: number) => void;
  /**
   * Signature checks in this many worker threads (see defaultVerifyWorkers()); 0 or absent
   * checks inline on the main loop. With threads, call `close()` when the run ends.
   */
  verifyWorkers?: number;
}

export const BIN_PACKAGE_TYPE_DATA = 0;
const LAT_LIMIT_E7 = 900_000_000;
const LON_LIMIT_E7 = 1_800_000_000;

export interface IngestCounters {
  /** Messages judged: accepted, or rejected for a reason of kind `message` (a subscribe refused or a connection closed is none). */
  received: number;
  accepted: number;
  rejected: Record<string, number>;
}

const enum Verdict {
  Pending,
  Good,
  Bad,
}

type DecodedPackage = ReturnType<IngestCodec['decodePackage']>;

/**
 * A message between arrival and its final accept/reject. Kept small: with a verify pool, every
 * message the broker has in flight waits here for its verdict (thousands, for longer than a
 * young-generation GC cycle), and what it holds is copied by each GC until it is promoted. The
 * signed bytes went into the verify batch at arrival, so only what the checks after the
 * signature need is kept.
 */
interface InFlight {
  clientId: string;
  topic: string;
  payload: Uint8Array;
  device: IngestDevice;
  timestamp: number;
  latitude: number | undefined;
  longitude: number | undefined;
  /** Backend clock at arrival, s: the skew check is about when the message came in. */
  arrivalNowS: number;
  verdict: Verdict;
  done: (() => void) | undefined;
  /** The decoded package, only for a codec that stores another form of it (`storedPackage`). */
  pkg: DecodedPackage | undefined;
}

/**
 * Decode → verify → validate → store, per message. Every received message ends either as
 * an accepted reading or as a rejection with a reason (both in run.db); nothing is dropped.
 *
 * Decoding and the cheap checks run on arrival, on the main loop; the signature check may run
 * in a worker pool. Messages are then finalized strictly in arrival order (a FIFO whose head
 * waits for its verdict), so the replay and epoch checks see each device's readings in the
 * order the broker delivered them, exactly as with inline verification. Epoch closing is
 * judged at finalization: nothing enters an epoch after it was closed. Call `drain()` before
 * closing an epoch and before reading the counters for the last time.
 */
export class Ingest {
  readonly counters: IngestCounters = { received: 0, accepted: 0, rejected: {} };
  private readonly lastAcceptedTs = new Map<number, number>();
  private readonly closedEpochs = new Set<number>();
  private readonly pool: VerifyPool<InFlight> | undefined;
  private readonly topics: TopicLayout;
  private queue: InFlight[] = [];
  private head = 0;
  private drainResolvers: Array<() => void> = [];

  constructor(private readonly options: IngestOptions) {
    const workers = options.verifyWorkers ?? 0;
    this.topics = options.topics ?? DEFAULT_TOPICS;
    this.pool =
      workers > 0
        ? new VerifyPool<InFlight>({
            size: workers,
            answer: (entry, ok) => {
              entry.verdict = ok ? Verdict.Good : Verdict.Bad;
            },
            answered: () => this.finalizeReady(),
          })
        : undefined;
  }

  /** Call after `drain()`: a message still in flight would be finalized against the closed epoch and rejected. */
  closeEpoch(epoch: number): void {
    this.closedEpochs.add(epoch);
  }

  /** Messages received and not yet accepted or rejected (waiting for their signature check). */
  inFlight(): number {
    return this.queue.length - this.head;
  }

  /** Resolves once every message received so far is accepted or rejected (and handed to the store). */
  drain(): Promise<void> {
    this.pool?.flush();
    if (this.inFlight() === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainResolvers.push(resolve));
  }

  /** Drains, then stops the verify threads. The ingest takes no more messages afterwards. */
  async close(): Promise<void> {
    await this.drain();
    await this.pool?.close();
  }

  reject(clientId: string | null, topic: string, payload: Uint8Array, reason: RejectionReason, detail: string): void {
    // A refused subscribe or a closed connection is counted by its reason, but was no message.
    if (rejectionKind(reason) === 'message') this.counters.received += 1;
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1;
    this.options.store.addRejection({
      clientId,
      topic,
      reason,
      detail,
      receivedMs: this.options.wallNowMs(),
      payload,
      digest: payloadDigest(payload),
    });
  }

  /**
   * One PUBLISH from the broker. `done`, when given, is called once the message is accepted or
   * rejected (the broker uses it to hold back reading that client's next packets). `verified`,
   * when given, is the signature's verdict already reached by an ingest worker process that
   * checked it against the same registered key (backend/ingest-workers/).
   */
  handlePublish(clientId: string, topic: string, payload: Uint8Array, done?: () => void, verified?: boolean): void {
    const { codec } = this.options;
    const device = this.options.devices.get(clientId);
    if (device === undefined || topic !== this.topics.data(clientId)) {
      this.reject(clientId, topic, payload, 'topic.unsupported', `only ${this.topics.templates.data} carries readings`);
      done?.();
      return;
    }
    let pkg: DecodedPackage;
    let sensor: ReturnType<IngestCodec['decodeSensorData']>;
    try {
      pkg = codec.decodePackage(payload);
      sensor = codec.decodeSensorData(pkg.data);
    } catch (error) {
      this.reject(clientId, topic, payload, 'decode', (error as Error).message);
      done?.();
      return;
    }
    if (pkg.type !== BIN_PACKAGE_TYPE_DATA) {
      this.reject(clientId, topic, payload, 'type', `type ${pkg.type}`);
      done?.();
      return;
    }
    const entry: InFlight = {
      clientId,
      topic,
      payload,
      device,
      timestamp: pkg.timestamp,
      latitude: sensor.latitude,
      longitude: sensor.longitude,
      arrivalNowS: this.options.simNowMs() / 1000,
      verdict: Verdict.Pending,
      done,
      pkg: codec.storedPackage === undefined ? undefined : pkg,
    };
    this.queue.push(entry);
    if (verified !== undefined) {
      entry.verdict = verified ? Verdict.Good : Verdict.Bad;
      this.finalizeReady();
      return;
    }
    const pool = this.pool;
    if (pool !== undefined && device.publicKey !== undefined) {
      pool.registerKey(device.index, device.publicKey, device.curve ?? 'p256');
      // Answered through the pool's `answer` (the verdict) and `answered` (finalizeReady); a
      // thread that dies leaves its jobs to be checked on this thread, so each is answered.
      pool.check(device.index, pkg.type, pkg.data, pkg.timestamp, pkg.signature, entry);
      return;
    }
    entry.verdict = device.verify(pkg.type, pkg.data, pkg.timestamp, pkg.signature) ? Verdict.Good : Verdict.Bad;
    this.finalizeReady();
  }

  /** Finalizes from the head of the arrival queue for as long as verdicts are in. */
  private finalizeReady(): void {
    // `this.queue` is read afresh each time: a `done` may hand the ingest a message at once.
    while (this.head < this.queue.length && this.queue[this.head]!.verdict !== Verdict.Pending) {
      const entry = this.queue[this.head]!;
      this.queue[this.head] = undefined as unknown as InFlight;
      this.head += 1;
      this.finalize(entry);
      entry.done?.();
    }
    const queue = this.queue;
    if (this.head === queue.length) {
      this.queue = [];
      this.head = 0;
      if (this.drainResolvers.length > 0) {
        const resolvers = this.drainResolvers;
        this.drainResolvers = [];
        for (const resolve of resolvers) resolve();
      }
    } else if (this.head > 4096 && this.head * 2 > queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
  }

  private finalize(entry: InFlight): void {
    const { clientId, topic, payload, device, timestamp } = entry;
    if (entry.verdict !== Verdict.Good) {
      this.reject(clientId, topic, payload, 'signature', 'ECDSA verification failed');
      return;
    }
    const nowS = entry.arrivalNowS;
    if (Math.abs(timestamp - nowS) > this.options.maxClockSkewS) {
      this.reject(clientId, topic, payload, 'timestamp.skew', `timestamp ${timestamp}, backend clock ${Math.floor(nowS)}`);
      return;
    }
    const epoch = this.options.calendar.epochOf(timestamp);
    if (epoch === null) {
      this.reject(clientId, topic, payload, 'timestamp.outside-run', `timestamp ${timestamp}`);
      return;
    }
    const last = this.lastAcceptedTs.get(device.index);
    if (last !== undefined && timestamp <= last) {
      this.reject(clientId, topic, payload, 'replay', `timestamp ${timestamp} ≤ last accepted ${last}`);
      return;
    }
    if (this.closedEpochs.has(epoch)) {
      this.reject(clientId, topic, payload, 'epoch.closed', `epoch ${epoch}`);
      return;
    }
    const { latitude, longitude } = entry;
    if (latitude === undefined || longitude === undefined) {
      this.reject(clientId, topic, payload, 'position.missing', 'SensorData without latitude/longitude (no GPS fix)');
      return;
    }
    if (Math.abs(latitude) > LAT_LIMIT_E7 || Math.abs(longitude) > LON_LIMIT_E7) {
      this.reject(clientId, topic, payload, 'range', `latitude ${latitude}, longitude ${longitude}`);
      return;
    }
    this.lastAcceptedTs.set(device.index, timestamp);
    const receivedMs = this.options.wallNowMs();
    this.counters.received += 1;
    this.counters.accepted += 1;
    const digest = payloadDigest(payload);
    this.options.onAccepted?.(clientId, digest, payload, receivedMs);
    this.options.store.addReading({
      deviceIndex: device.index,
      epoch,
      timestampS: timestamp,
      latE7: latitude,
      lonE7: longitude,
      receivedMs,
      packageBytes: this.options.codec.storedPackage === undefined || entry.pkg === undefined ? payload : this.options.codec.storedPackage(entry.pkg),
      digest,
    });
  }
}
