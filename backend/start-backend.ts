import type { Logger } from '../core/ports.ts';
import type { RunStore } from './store/run-store.ts';
import { startEmbeddedBroker, type BrokerOutage } from './broker/embedded-broker.ts';
import { SessionTakeovers } from './broker/session-takeovers.ts';
import { Ingest, type IngestCodec } from './ingest/ingest.ts';
import { defaultVerifyWorkers } from './ingest/verify-pool.ts';
import type { EpochCalendar } from './epochs/calendar.ts';
import { pebbleIngestCodec } from './ingest/pebble-codec.ts';
import { RegistrationBackend } from './registration/registration-exchange.ts';
import type { DeviceDirectory } from './directory/device-directory.ts';
import type { BackendEvents, BackendIo } from './ports.ts';
import { DEFAULT_TOPICS, type TopicLayout } from '../protocol/topics.ts';
import type { ListenerSpec, ListenerTls } from './broker/listeners.ts';
import { connectExternalBroker, type BackendBroker, type ExternalBrokerUse } from './backend-broker.ts';

export type { BackendBroker, ExternalBrokerUse } from './backend-broker.ts';

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

export interface Backend {
  ingest: Ingest;
  broker: BackendBroker;
  /** Connections refused at login (wrong credentials). */
  authFailures(): number;
  /** The same by reason (`password`, `certificate`, `unknown-device`, `protocol-version`: an MQTT 5 CONNECT), and TLS handshakes that failed (`tls`). */
  authFailuresByReason(): Record<string, number>;
  registration: RegistrationBackend;
  /**
   * Logins that took over a connected device's session, per device, with the flag for repeated
   * ones (`backend/broker/session-takeovers.ts`). The embedded broker's only: a team's broker
   * does not tell its clients.
   */
  takeovers: SessionTakeovers;
  /** Takes the embedded broker down and up again (a scenario's broker.restart); absent on a team's broker. */
  brokerOutage?: BrokerOutage;
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
  const takeovers = new SessionTakeovers();
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
    track: (operation, options) => io.track(operation, options),
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
        onTooLarge: (deviceId, cmd, length) => {
          // Never read, so no topic and no payload: the row says who, what packet and how big.
          ingest.reject(deviceId, '', Buffer.alloc(0), 'payload.too-large', `${cmd} of ${length} B over the broker cap; connection closed`);
        },
        onProtocolViolation: (deviceId, detail, publish) => {
          // A refused PUBLISH keeps its topic and (a prefix of) its payload; other violations have neither.
          ingest.reject(deviceId, publish?.topic ?? '', publish?.payload ?? Buffer.alloc(0), 'protocol.violation', `${detail}; connection closed`);
        },
        onTakeover: (deviceId) => {
          takeovers.record(deviceId, wallNowMs());
          logger.debug(`a second login as device ${deviceId} took its session over`);
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
    outage = handle.outage;
    return { url: handle.url, urls: handle.urls, connectedClients: () => handle.connectedClients(), isConnected: (id) => handle.isConnected(id), deliver: handle.deliver, close: () => handle.close() };
  }
  // Only the embedded broker can be restarted by the run (a scenario's broker.restart).
  let outage: BrokerOutage | undefined;
  const broker: BackendBroker =
    input.external === undefined
      ? await embedded()
      : await connectExternalBroker({
          use: input.external, topics, directory, logger, onStarted: input.onStarted,
          route,
          // What the topic names no device of is refused, as the embedded broker's ACL would.
          unknown(topic, payload, done) {
            io.publishArrived();
            ingest.reject('(unknown)', topic, payload, 'topic.unsupported', `no device's uplink: ${topic}`);
            done();
          },
        });
  input.onStarted(() => broker.close());
  const total = () => Object.values(refusedLogins).reduce((n, k) => n + k, 0);
  return { ingest, broker, authFailures: total, authFailuresByReason: () => ({ ...refusedLogins }), registration, takeovers, ...(outage === undefined ? {} : { brokerOutage: outage }) };
}
