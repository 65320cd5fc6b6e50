import type { Logger } from '../core/ports.ts';
import type { RunStore } from './store/run-store.ts';
import { startEmbeddedBroker, type BrokerHandle } from './broker/embedded-broker.ts';
import { Ingest, type IngestCodec } from './ingest/ingest.ts';
import { defaultVerifyWorkers } from './ingest/verify-pool.ts';
import type { EpochCalendar } from './epochs/calendar.ts';
import { pebbleIngestCodec } from './ingest/pebble-codec.ts';
import { RegistrationBackend } from './registration/registration-exchange.ts';
import type { DeviceDirectory } from './directory/device-directory.ts';
import type { BackendEvents, BackendIo } from './ports.ts';
import { DEFAULT_TOPICS, type TopicLayout } from '../protocol/topics.ts';
import type { ListenerSpec, ListenerTls } from './broker/listeners.ts';
import { connectBrokerClient, type BrokerClient, type ExternalBrokerLogin } from './broker/broker-client.ts';
import { startIngestWorkers } from './ingest-workers/ingest-worker-pool.ts';
import type { PayloadCodecName } from '../protocol/codec/payload-codecs.ts';

/**
 * How long a downlink counts as under way after a team's broker acknowledged it: that PUBACK is
 * the broker's, not the device's (the embedded broker waits for the device's own), so the
 * discrete clock waits this much longer for the broker to pass it on and the device to act on it
 * (a confirm sent, a config applied) before simulated time goes on. Only registration and
 * configuration downlinks pay it, never a reading.
 */
export const EXTERNAL_DELIVERY_SETTLE_MS = 100;

const settleDelivery = (acked: boolean) => new Promise<boolean>((resolve) => setTimeout(() => resolve(acked), EXTERNAL_DELIVERY_SETTLE_MS));

/** A device publish as the broker received it, before it was judged. */
export interface ReceivedPublish {
  /** The IMEI, whichever client id form (`<IMEI>`, `nrf-<IMEI>`) the device connected with. */
  readonly deviceId: string;
  /** As the backend knows the sender: its device id. */
  readonly clientId: string;
  readonly topic: string;
  readonly payload: Uint8Array;
  /** Backend clock (simulated time) and wall clock at receipt, ms. */
  readonly backendMs: number;
  readonly wallMs: number;
}

/** The broker the backend works through: the embedded one, or a team's broker it is a client of. */
export interface BackendBroker {
  /** The URL devices connect to. */
  readonly url: string;
  /** Every listener's URL (the embedded broker); just `url` on a team's broker. */
  readonly urls: readonly string[];
  /** Connections the broker holds now; undefined on a team's broker, which pinbench cannot see into. */
  connectedClients(): number | undefined;
  /** Whether a device is logged in now; undefined on a team's broker. */
  isConnected(deviceId: string): boolean | undefined;
  deliver: BrokerHandle['deliver'];
  close(): Promise<void>;
  /** The backend's own connection when it is a client of a team's broker. */
  readonly client?: BrokerClient;
}

/** Where the backend meets the devices when they use a team's broker instead of the embedded one. */
export interface ExternalBrokerUse {
  login: ExternalBrokerLogin;
  /** The backend's client id there (unique per run: a shared subscription's members each need their own). */
  clientId: string;
  /** `--ingest-workers N`: N processes split the devices, subscribe to their uplinks and verify; this process judges and stores. */
  workers?: { count: number; codec: PayloadCodecName; logPath: string };
}

export interface Backend {
  ingest: Ingest;
  broker: BackendBroker;
  /** Connections refused at login (wrong credentials). */
  authFailures(): number;
  /** The same by reason (`password`, `certificate`, `unknown-device`), and TLS handshakes that failed (`tls`). */
  authFailuresByReason(): Record<string, number>;
  registration: RegistrationBackend;
}

/**
 * What the devices talk to: the ingest (decode, verify, validate, store), the registration
 * exchange for devices that connect unregistered, and the embedded broker that routes each
 * publish to one of them, all knowing devices only through the directory. Every publish is
 * announced to `io`, so a discrete clock driving the bench waits for it. `stop()` each of the
 * returned parts in reverse order: the broker, then the ingest.
 */
export async function startBackend(input: {
  store: RunStore;
  directory: DeviceDirectory;
  /** Which epoch a reading's timestamp falls in (null before the run's epochs begin or after they end). */
  calendar: Pick<EpochCalendar, 'epochOf'>;
  maxClockSkewS: number;
  /** The topic layout (scenario `topics:`); default the Pebble firmware's. */
  topics?: TopicLayout;
  /** How readings are read (scenario `codec:`, backend/ingest/ingest-codecs.ts); default the Pebble v2 protobuf. */
  codec?: IngestCodec;
  /** The backend clock (the devices' simulated time), ms. */
  nowMs: () => number;
  wallNowMs: () => number;
  io: BackendIo;
  events?: BackendEvents;
  brokerPort?: number;
  /** The broker's listeners (default one mqtt listener on loopback, at `brokerPort`), and TLS for mqtts/wss. */
  listen?: readonly ListenerSpec[];
  tls?: ListenerTls;
  /** Work through a team's broker as its client instead of starting the embedded one. */
  external?: ExternalBrokerUse;
  logger: Logger;
  /**
   * Every device publish the broker received, before it is judged (refused ones too): what
   * `--record` writes to a capture.
   */
  onReceived?: (received: ReceivedPublish) => void;
  /** Called with each part's stop step as soon as the part runs, so a later failure still stops it. */
  onStarted: (stop: () => Promise<void>) => void;
}): Promise<Backend> {
  const { store, directory, io, wallNowMs, logger } = input;
  const topics = input.topics ?? DEFAULT_TOPICS;
  const ingest = new Ingest({
    store, codec: input.codec ?? pebbleIngestCodec, devices: directory.ingestDevices, calendar: input.calendar,
    maxClockSkewS: input.maxClockSkewS, simNowMs: input.nowMs, wallNowMs, topics,
    onAccepted: input.events?.readingAccepted,
    verifyWorkers: defaultVerifyWorkers(),
  });
  input.onStarted(() => ingest.close());
  io.addPending('readings still in the ingest', () => ingest.inFlight());
  const refusedLogins: Record<string, number> = {};
  const countRefusal = (reason: string) => {
    refusedLogins[reason] = (refusedLogins[reason] ?? 0) + 1;
  };
  // Devices that connect unregistered go through the owner proposal / confirm exchange.
  const registration = new RegistrationBackend({
    registry: directory,
    deliver: (clientId, topic, payload) => broker.deliver(clientId, topic, payload),
    // On a team's broker a delivery is known only as far as that broker's PUBACK; the device's
    // confirm still has to come back through it.
    ...(input.external === undefined ? {} : { confirmGraceMs: 5000 }),
    reject: (clientId, topic, payload, reason, detail) => ingest.reject(clientId, topic, payload, reason, detail),
    nowMs: input.nowMs,
    track: (operation) => io.track(operation),
    maxClockSkewS: input.maxClockSkewS,
    logger,
    topics,
  });
  // Readings go to the ingest (which holds the sender until it is done with one), registration
  // traffic to the exchange.
  const received = (deviceId: string, topic: string, payload: Uint8Array) =>
    input.onReceived?.({ deviceId, clientId: deviceId, topic, payload, backendMs: input.nowMs(), wallMs: wallNowMs() });
  const route = (deviceId: string, topic: string, payload: Buffer, done?: () => void, verified?: boolean) => {
    io.publishArrived();
    received(deviceId, topic, payload);
    const kind = topics.uplinkKind(deviceId, topic);
    if (kind === 'confirm') registration.handleConfirm(deviceId, topic, payload);
    else if (kind === 'query') registration.handleQuery(deviceId);
    else return ingest.handlePublish(deviceId, topic, payload, done, verified);
    done?.();
  };
  async function embedded(): Promise<BackendBroker> {
    const handle = await startEmbeddedBroker({
      topics,
      port: input.brokerPort,
      ...(input.listen === undefined ? {} : { listen: input.listen }),
      ...(input.tls === undefined ? {} : { tls: input.tls }),
      credentials: directory.credentials,
      hooks: {
        onPublish: (clientId, topic, payload) => route(clientId, topic, payload),
        onPublishWithDone: (clientId, topic, payload, done) => route(clientId, topic, payload, done),
        onSubscribe: (clientId, filters) => registration.onSubscribe(clientId, filters),
        onDenied: (clientId, topic, payload, reason) => {
          if (reason === 'acl.publish') {
            io.publishArrived();
            received(clientId, topic, payload);
          }
          ingest.reject(clientId, topic, payload, reason, `client ${clientId}`);
        },
        onAuthFailed: (clientId, reason, detail) => {
          countRefusal(reason);
          logger.debug(`login refused for ${clientId}: ${detail}`);
        },
        onTlsFailure: (remote, reason) => {
          countRefusal('tls');
          logger.warn(`${reason} (from ${remote})`);
        },
      },
    });
    for (const url of handle.urls) logger.info(`broker listening on ${url}`);
    return { url: handle.url, urls: handle.urls, connectedClients: () => handle.connectedClients(), isConnected: (id) => handle.isConnected(id), deliver: handle.deliver, close: () => handle.close() };
  }
  // On a team's broker the backend reads whose uplink a message is from its topic; what the
  // topic names no device of is refused as the embedded broker's ACL would have.
  async function external(use: ExternalBrokerUse): Promise<BackendBroker> {
    const uplink = (topic: string, payload: Buffer, done: () => void, verified?: boolean) => {
      const from = topics.uplinkOf(topic);
      if (from === undefined) {
        io.publishArrived();
        ingest.reject('(unknown)', topic, payload, 'topic.unsupported', `no device's uplink: ${topic}`);
        done();
        return;
      }
      route(from.deviceId, topic, payload, done, verified);
    };
    const workers = use.workers === undefined ? undefined : await startWorkers(use, use.workers, uplink);
    const client = await connectBrokerClient({
      login: use.login, clientId: use.clientId, topics, logger, subscribe: workers === undefined ? 'all' : [],
      hooks: { onUplink: (topic, payload, done) => uplink(topic, payload, done) },
    });
    logger.info(`backend connected to ${use.login.url} as ${use.login.username ?? '(no username)'}${workers !== undefined ? ` (uplinks through ${workers.size} ingest workers)` : client.shared ? ' (shared subscription)' : ''}`);
    return {
      url: use.login.url, urls: [use.login.url], connectedClients: () => undefined, isConnected: () => undefined,
      deliver: (id, topic, payload, timeoutMs) => client.deliver(id, topic, payload, timeoutMs).then(settleDelivery),
      close: async () => {
        await workers?.close();
        await client.close();
      },
      client,
    };
  }
  // The workers check signatures against the keys the registry recorded, as the ingest does.
  async function startWorkers(use: ExternalBrokerUse, spec: NonNullable<ExternalBrokerUse['workers']>, uplink: (topic: string, payload: Buffer, done: () => void, verified?: boolean) => void) {
    const keysOf = (ids: Iterable<string>) =>
      [...ids].flatMap((deviceId) => {
        const device = directory.ingestDevices.get(deviceId);
        return device?.publicKey === undefined ? [] : [{ deviceId, publicKey: device.publicKey, curve: device.curve ?? 'p256' }];
      });
    const pool = await startIngestWorkers({
      count: spec.count, login: use.login, clientIdPrefix: use.clientId, topics: topics.templates, codec: spec.codec, logPath: spec.logPath, logger,
      devices: [...directory.credentials.keys()],
      onUplink: (topic, payload, verdict, done) => uplink(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), done, verdict === -1 ? undefined : verdict === 1),
    });
    input.onStarted(() => pool.close());
    pool.addKeys(keysOf(directory.ingestDevices.keys()));
    directory.onRegistered((devices) => pool.addKeys(keysOf(devices.map((d) => d.deviceId))));
    return pool;
  }
  const broker: BackendBroker = input.external === undefined ? await embedded() : await external(input.external);
  input.onStarted(() => broker.close());
  const total = () => Object.values(refusedLogins).reduce((n, k) => n + k, 0);
  return { ingest, broker, authFailures: total, authFailuresByReason: () => ({ ...refusedLogins }), registration };
}
