import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { Clock, Logger, TimerHandle } from '../../core/ports.ts';
import { isPinbenchError } from '../../core/errors.ts';
import type { MqttConnector, MqttLink } from '../../devices/index.ts';
import type { TopicLayout } from '../../protocol/topics.ts';
import { payloadDigest } from '../../protocol/payload-digest.ts';
import type { DeviceDirectory } from '../../backend/directory/device-directory.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import type { IoSettle } from '../clock/io-settle.ts';
import type { LatencyTracker } from '../mqtt/latency-tracker.ts';
import type { PublishLatency } from '../mqtt/publish-latency.ts';
import type { CapturedPublish } from '../capture/capture-format.ts';
import type { ReplaySource } from './replay-entries.ts';

/** Publishes read from a capture at a time: a capture of hours of 10,000 devices never sits in memory whole. */
const PAGE = 2000;

interface PlayedDevice {
  readonly deviceId: string;
  readonly password: string;
  link: Promise<MqttLink> | undefined;
  /** Publishes go out one after the other, in recorded order: the ingest judges a device's readings in arrival order. */
  queue: Promise<void>;
}

export interface CapturePlayerDeps {
  readonly clock: Clock;
  readonly io: Pick<IoSettle, 'track'>;
  /** MQTT connections, tracked (`trackConnectorIo`) so the discrete clock waits for their I/O. */
  readonly connector: MqttConnector;
  readonly directory: DeviceDirectory;
  readonly store: RunStore;
  /** The run's topic layout: readings go to the run's data topic (the topic is not signed; the payload is). */
  readonly topics: TopicLayout;
  /** Send times by device id, paired with the ingest's accepts into `publishLatency`. */
  readonly sent: LatencyTracker;
  readonly publishLatency: PublishLatency;
  readonly logger: Logger;
}

/**
 * Plays captures back as devices. Each replayed device is provisioned in the run's directory
 * with its recorded key, curve, owner and upload period and a fresh password, put on the
 * registry as the run starts (registrar path: a recorded confirm answers a proposal that this
 * run never made, so confirms and queries are not replayed), and then publishes each recorded
 * reading with its original bytes, over its own MQTT connection at QoS 1, when the run's clock
 * reaches the time the recording's backend received it (1 ms before: sent just before it
 * arrived, so it is ahead of an epoch close scheduled for that same instant, as it was then).
 */
export class CapturePlayer {
  private readonly devices = new Map<string, PlayedDevice>();
  private readonly timers = new Set<TimerHandle>();
  private readonly cursors = new Map<ReplaySource, number>();
  private registering: Promise<void> = Promise.resolve();
  private stopped = false;
  private registered = 0;
  published = 0;
  online = 0;
  peak = 0;
  failed = 0;

  constructor(
    private readonly sources: readonly ReplaySource[],
    private readonly deps: CapturePlayerDeps,
  ) {
    const { directory, store } = deps;
    for (const source of sources) {
      for (const d of source.devices) {
        const password = randomBytes(16).toString('hex');
        directory.provision({ deviceId: d.deviceId, password, publicKey: d.publicKey, curve: d.curve, owner: d.owner, uploadPeriodS: d.uploadPeriodS });
        this.devices.set(d.deviceId, { deviceId: d.deviceId, password, link: undefined, queue: Promise.resolve() });
      }
    }
    const labelOf = new Map(sources.flatMap((s) => s.devices.map((d) => [d.deviceId, { file: basename(s.capture.path), uploadPeriodS: d.uploadPeriodS }] as const)));
    directory.onRegistered((events) => {
      const rows = [];
      for (const { index, deviceId } of events) {
        const label = labelOf.get(deviceId);
        if (label === undefined) continue;
        this.registered += 1;
        rows.push({ deviceIndex: index, name: `${deviceId} (replayed)`, motion: 'replay', profile: `replay · ${label.file}`, adversary: null, uploadPeriodS: label.uploadPeriodS });
      }
      if (rows.length > 0) store.describeDevices(rows);
    });
  }

  get size(): number {
    return this.devices.size;
  }

  registeredCount(): number {
    return this.registered;
  }

  plays(deviceId: string): boolean {
    return this.devices.has(deviceId);
  }

  /** The backend accepted a reading of a replayed device (BackendEvents): publish → accept latency. */
  readingAccepted(deviceId: string, payload: Uint8Array, acceptedMs: number): void {
    const sentMs = this.deps.sent.take(deviceId, payload);
    if (sentMs !== undefined) this.deps.publishLatency.record(acceptedMs - sentMs);
  }

  /** Registers every replayed device and schedules the first page of each capture. */
  start(): void {
    const { directory, io, logger } = this.deps;
    this.registering = io.track(
      Promise.all(
        [...this.devices.keys()].map((id) =>
          directory.register(id).then(
            () => undefined,
            (error: unknown) => logger.warn(`${id}: registration of the replayed device failed: ${(error as Error).message}; its readings will be rejected`),
          ),
        ),
      ).then(() => undefined),
      { chain: true },
    );
    for (const source of this.sources) this.pump(source);
  }

  /** Stops playing (what is scheduled after now is not sent), waits for what is under way and closes the connections. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) this.deps.clock.cancel(timer);
    this.timers.clear();
    await Promise.all([...this.devices.values()].map((d) => d.queue));
    await Promise.all(
      [...this.devices.values()].map(async (d) => {
        const link = await d.link?.catch(() => undefined);
        d.link = undefined;
        await link?.end().catch(() => undefined);
      }),
    );
    this.online = 0;
  }

  private schedule(atMs: number, fn: () => void): void {
    const handle = this.deps.clock.schedule(Math.max(0, atMs - this.deps.clock.nowMs()), () => {
      this.timers.delete(handle);
      if (!this.stopped) fn();
    });
    this.timers.add(handle);
  }

  /** Schedules the next page of a capture's readings, and the read of the page after it at the last one's time. */
  private pump(source: ReplaySource): void {
    if (this.stopped) return;
    let page: CapturedPublish[];
    try {
      page = source.capture.publishes(this.cursors.get(source) ?? 0, PAGE);
    } catch (error) {
      if (!isPinbenchError(error)) throw error;
      this.deps.logger.warn(`${error.message}; the replay of this capture stops here, and what it played stays accepted`);
      return;
    }
    if (page.length === 0) return;
    this.cursors.set(source, page[page.length - 1]!.seq);
    for (const p of page) {
      if (!this.devices.has(p.deviceId) || source.recordedTopics.uplinkKind(p.deviceId, p.topic) !== 'data') continue;
      this.schedule(p.backendMs - 1, () => this.send(p));
    }
    if (page.length === PAGE) this.schedule(page[page.length - 1]!.backendMs - 1, () => this.pump(source));
  }

  private send(p: CapturedPublish): void {
    const device = this.devices.get(p.deviceId)!;
    const { io, topics, directory, store, logger } = this.deps;
    const sending = device.queue.then(async () => {
      await this.registering;
      try {
        const link = await this.linkOf(device, p.clientId);
        this.deps.sent.sent(p.deviceId, p.payload);
        await link.publish(topics.data(p.deviceId), p.payload, 1);
      } catch (error) {
        this.failed += 1;
        logger.debug(`${p.deviceId}: replayed publish failed: ${(error as Error).message}`);
        return;
      }
      this.published += 1;
      store.addPublished({ deviceIndex: directory.registration(p.deviceId)?.index ?? 0, digest: payloadDigest(p.payload), publishedMs: Date.now() });
    });
    device.queue = io.track(sending);
  }

  /** The device's connection, opened on its first publish (and again after a lost one), as the client id it recorded. */
  private linkOf(device: PlayedDevice, clientId: string): Promise<MqttLink> {
    if (device.link !== undefined) return device.link;
    const opening = this.deps.connector.connect({ clientId, username: device.deviceId, password: device.password }).then((link) => {
      this.online += 1;
      this.peak = Math.max(this.peak, this.online);
      link.onClose(() => {
        this.online -= 1;
        if (device.link === opening) device.link = undefined;
      });
      return link;
    });
    device.link = opening;
    opening.catch(() => {
      if (device.link === opening) device.link = undefined;
    });
    return opening;
  }
}
