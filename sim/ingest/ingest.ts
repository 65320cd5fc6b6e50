import { createHash } from 'node:crypto';
import type { RunStore } from '../store/run-store.ts';
import type { EpochCalendar } from '../epochs/calendar.ts';
import type { RejectionReason } from './reasons.ts';

/** What the ingest needs to read and check a Pebble package; sim wires in devices/codec. */
export interface IngestCodec {
  /** Throws on malformed bytes. */
  decodePackage(bytes: Uint8Array): { type: number; data: Uint8Array; timestamp: number; signature: Uint8Array };
  /** Throws on malformed bytes. */
  decodeSensorData(bytes: Uint8Array): { latitude?: number; longitude?: number };
}

export interface IngestDevice {
  readonly index: number;
  /** Checks the 64-byte r‖s signature over sha256(type ‖ data ‖ timestamp) with the registered key. */
  verify(type: number, data: Uint8Array, timestamp: number, signature: Uint8Array): boolean;
}

export interface IngestOptions {
  store: RunStore;
  codec: IngestCodec;
  devices: ReadonlyMap<string, IngestDevice>;
  calendar: EpochCalendar;
  maxClockSkewS: number;
  /** Simulated time (the devices' clock), ms. */
  simNowMs: () => number;
  /** Wall time, ms, for stored receive times and latency. */
  wallNowMs: () => number;
  /** Wall time at which the device sent this payload, when known (for latency). */
  sentAtMs?: (clientId: string, payload: Uint8Array) => number | undefined;
}

export const BIN_PACKAGE_TYPE_DATA = 0;
const LAT_LIMIT_E7 = 900_000_000;
const LON_LIMIT_E7 = 1_800_000_000;

export function payloadDigest(payload: Uint8Array): Buffer {
  return createHash('sha256').update(payload).digest().subarray(0, 8);
}

export interface IngestCounters {
  received: number;
  accepted: number;
  rejected: Record<string, number>;
}

/**
 * Decode → verify → validate → store, per message. Every received message ends either as
 * an accepted reading or as a rejection with a reason (both in run.db); nothing is dropped.
 */
export class Ingest {
  readonly counters: IngestCounters = { received: 0, accepted: 0, rejected: {} };
  private readonly lastAcceptedTs = new Map<number, number>();
  private readonly closedEpochs = new Set<number>();
  private readonly latencies: number[] = [];

  constructor(private readonly options: IngestOptions) {}

  closeEpoch(epoch: number): void {
    this.closedEpochs.add(epoch);
  }

  /** Publish → accept latencies (ms, wall clock) measured so far; the array is live. */
  latencySamples(): readonly number[] {
    return this.latencies;
  }

  reject(clientId: string | null, topic: string, payload: Uint8Array, reason: RejectionReason, detail: string): void {
    this.counters.received += 1;
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

  handlePublish(clientId: string, topic: string, payload: Uint8Array): void {
    const { codec, calendar } = this.options;
    const device = this.options.devices.get(clientId);
    if (device === undefined || topic !== `device/${clientId}/data`) {
      this.reject(clientId, topic, payload, 'topic.unsupported', 'only device/<id>/data carries readings');
      return;
    }
    let pkg: ReturnType<IngestCodec['decodePackage']>;
    let sensor: ReturnType<IngestCodec['decodeSensorData']>;
    try {
      pkg = codec.decodePackage(payload);
      sensor = codec.decodeSensorData(pkg.data);
    } catch (error) {
      this.reject(clientId, topic, payload, 'decode', (error as Error).message);
      return;
    }
    if (pkg.type !== BIN_PACKAGE_TYPE_DATA) {
      this.reject(clientId, topic, payload, 'type', `type ${pkg.type}`);
      return;
    }
    if (!device.verify(pkg.type, pkg.data, pkg.timestamp, pkg.signature)) {
      this.reject(clientId, topic, payload, 'signature', 'ECDSA verification failed');
      return;
    }
    const nowS = this.options.simNowMs() / 1000;
    if (Math.abs(pkg.timestamp - nowS) > this.options.maxClockSkewS) {
      this.reject(clientId, topic, payload, 'timestamp.skew', `timestamp ${pkg.timestamp}, backend clock ${Math.floor(nowS)}`);
      return;
    }
    const epoch = calendar.epochOf(pkg.timestamp);
    if (epoch === null) {
      this.reject(clientId, topic, payload, 'timestamp.outside-run', `timestamp ${pkg.timestamp}`);
      return;
    }
    const last = this.lastAcceptedTs.get(device.index);
    if (last !== undefined && pkg.timestamp <= last) {
      this.reject(clientId, topic, payload, 'replay', `timestamp ${pkg.timestamp} ≤ last accepted ${last}`);
      return;
    }
    if (this.closedEpochs.has(epoch)) {
      this.reject(clientId, topic, payload, 'epoch.closed', `epoch ${epoch}`);
      return;
    }
    if (sensor.latitude === undefined || sensor.longitude === undefined) {
      this.reject(clientId, topic, payload, 'position.missing', 'SensorData without latitude/longitude (no GPS fix)');
      return;
    }
    if (Math.abs(sensor.latitude) > LAT_LIMIT_E7 || Math.abs(sensor.longitude) > LON_LIMIT_E7) {
      this.reject(clientId, topic, payload, 'range', `latitude ${sensor.latitude}, longitude ${sensor.longitude}`);
      return;
    }
    this.lastAcceptedTs.set(device.index, pkg.timestamp);
    const receivedMs = this.options.wallNowMs();
    const sentMs = this.options.sentAtMs?.(clientId, payload);
    const latencyMs = sentMs === undefined ? -1 : receivedMs - sentMs;
    if (sentMs !== undefined) this.latencies.push(latencyMs);
    this.counters.received += 1;
    this.counters.accepted += 1;
    this.options.store.addReading({
      deviceIndex: device.index,
      epoch,
      timestampS: pkg.timestamp,
      latE7: sensor.latitude,
      lonE7: sensor.longitude,
      receivedMs,
      latencyMs,
      packageBytes: payload,
      digest: payloadDigest(payload),
    });
  }
}
