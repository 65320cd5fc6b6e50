import { timingSafeEqual } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { Aedes, type Client, type PublishPacket, type AuthenticateError } from 'aedes';
import { PinbenchError } from '../../core/errors.ts';
import { deviceIdOfClientId } from '../../protocol/client-ids.ts';
import { DEFAULT_TOPICS, type TopicLayout } from '../../protocol/topics.ts';
import { isTlsListener, listenerUrl, startListener, type ListenerSpec, type ListenerTls, type RunningListener } from './listeners.ts';
import { NOT_FROM_THIS_CA } from './connect-failure.ts';
import { holdReads, PublishHandOver } from './publish-hand-over.ts';
import { isProtocolViolation, watchRefusedPublishes, type RefusedPublish } from './protocol-violation.ts';
import { capPacketSize, DEFAULT_MAX_PACKET_BYTES } from './packet-size-cap.ts';
import { refuseMqtt5 } from './mqtt5-refusal.ts';

/**
 * Why a login was refused: no such device, a wrong username or password, a client certificate
 * that does not fit, or an MQTT version the embedded broker does not speak (MQTT 5).
 */
export type AuthFailureReason = 'unknown-device' | 'password' | 'certificate' | 'protocol-version';

/**
 * What the broker hands to the ingest. Past the login every hook names the device by its device
 * id (the IMEI), whichever client id it connected with (`<IMEI>` or `nrf-<IMEI>`).
 */
export interface BrokerHooks {
  /** An authorised publish from a device; called once per received PUBLISH. */
  onPublish(deviceId: string, topic: string, payload: Buffer): void;
  /**
   * Used instead of `onPublish` when given: the broker reads no further packets from that
   * client until `done` is called, so a slower ingest slows the senders (TCP backpressure)
   * instead of queueing without bound. aedes sends a QoS 1 PUBACK before this runs; publishes
   * are handed over once per turn of the event loop, in arrival order (`PublishHandOver`).
   */
  onPublishWithDone?(deviceId: string, topic: string, payload: Buffer, done: () => void): void;
  /** A publish or subscription the ACL refused (the run goes on; the refusal is counted). */
  onDenied(deviceId: string, topic: string, payload: Buffer, reason: 'acl.publish' | 'acl.subscribe'): void;
  /**
   * A packet refused for its size before it was read (`maxPacketBytes`); the connection is
   * closed. `deviceId` is null when it came before a login (a too-large CONNECT).
   */
  onTooLarge?(deviceId: string | null, cmd: string, length: number): void;
  /**
   * A client broke MQTT (e.g. a PUBLISH to a wildcard topic) and aedes closed its connection;
   * `deviceId` is null before a login. `detail` is aedes's or mqtt-packet's message; `publish`
   * the refused PUBLISH's topic and payload when a topic was what broke it.
   */
  onProtocolViolation?(deviceId: string | null, detail: string, publish?: RefusedPublish): void;
  /**
   * A login for a device that already has a live connection: the new one takes the session
   * over and the older is closed (MQTT's rule for one client id [MQTT-3.1.4-2]; `<IMEI>` and
   * `nrf-<IMEI>` count as one). Called once per takeover, before the older connection closes.
   */
  onTakeover?(deviceId: string): void;
  /** A refused login, with the client id as sent and a one-line `detail`. */
  onAuthFailed(clientId: string, reason: AuthFailureReason, detail: string): void;
  /** A device's subscriptions the ACL granted (after SUBACK was written), e.g. `backend/<id>/#`. */
  onSubscribe?(deviceId: string, topicFilters: readonly string[]): void;
  /** A TLS handshake on mqtts/wss that failed, e.g. a plain MQTT client on the mqtts port. */
  onTlsFailure?(remote: string, reason: string): void;
}

export interface BrokerHandle {
  /** The first mqtt:// listener's URL, else the first listener's. */
  readonly url: string;
  /** The port of `url`. */
  readonly port: number;
  /** Every listener's URL with its real port, in the order given. */
  readonly urls: readonly string[];
  connectedClients(): number;
  /** Whether a device is logged in now, under either client id form. */
  isConnected(deviceId: string): boolean;
  /** TLS handshakes that failed so far (each was reported to `onTlsFailure`). */
  tlsFailures(): number;
  /**
   * Sends a backend message to one connected device at QoS 1. Resolves `true` once the device
   * acknowledged it (PUBACK: its client has handled the message by then), `false` when the
   * device is not connected or disconnects first, or after `timeoutMs` of wall time.
   */
  deliver(deviceId: string, topic: string, payload: Uint8Array, timeoutMs?: number): Promise<boolean>;
  /** Goes down and comes back (a scenario's broker.restart). */
  readonly outage: BrokerOutage;
  close(): Promise<void>;
}

/**
 * A broker restart: `takeDown` closes every listener and drops every connection (resolves with
 * how many clients were connected); `bringUp` listens again on the same ports. What the broker
 * acknowledged before going down is still handed to the ingest: the hand-over queue and aedes
 * itself stay, only the network side goes, as after a restart that kept its state on disk.
 */
export interface BrokerOutage {
  takeDown(): Promise<number>;
  bringUp(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** The one mqtt listener's address when `listen` is not given (default 127.0.0.1). */
  host?: string;
  /** Its port (default 0, a free one). */
  port?: number;
  /** The listeners (see `parseListenUrl`); default one mqtt listener on `host` and `port`. */
  listen?: readonly ListenerSpec[];
  /** The server certificate and the run's CA; required when a listener is mqtts or wss. */
  tls?: ListenerTls;
  /** device id → password issued at provisioning. */
  credentials: ReadonlyMap<string, string>;
  hooks: BrokerHooks;
  /** The topic layout the ACL follows; default the Pebble firmware's. */
  topics?: TopicLayout;
  /** The largest packet read, in bytes (default `DEFAULT_MAX_PACKET_BYTES`, 4 KiB; see there why). */
  maxPacketBytes?: number;
}

/** Publishes the ACL refused are re-routed here: no client can subscribe to it. */
const DENIED_TOPIC = '$pinbench/denied';

function authError(reason: AuthFailureReason, message: string): AuthenticateError {
  // CONNACK 4 "bad user name or password", 5 "not authorized" for a certificate that does not fit.
  return Object.assign(new Error(message), { returnCode: reason === 'certificate' ? (5 as const) : (4 as const) });
}

function passwordMatches(expected: string, given: Buffer | undefined): boolean {
  if (given === undefined) return false;
  const want = Buffer.from(expected);
  return want.length === given.length && timingSafeEqual(want, given);
}

/** The TLS socket under a client: its own connection on mqtts, the HTTP request's on wss. */
function tlsSocketOf(client: Client): TLSSocket | undefined {
  if (client.conn instanceof TLSSocket) return client.conn;
  const socket = client.req?.socket;
  return socket instanceof TLSSocket ? socket : undefined;
}

type LoginVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: AuthFailureReason; readonly detail: string };

/**
 * The login rule. A client certificate is checked first when one was presented: it must chain to
 * the run's CA and name the device the client id names (subject CN), and then it is enough, no
 * password needed; a certificate that does not fit refuses the login even with a good password,
 * so a device's certificate cannot be lent to another. Without one, the username must be the
 * device id or the client id and the password the one issued at provisioning.
 */
function checkLogin(credentials: ReadonlyMap<string, string>, client: Client, username: string | undefined, password: Buffer | undefined): LoginVerdict {
  const deviceId = deviceIdOfClientId(client.id);
  const tls = tlsSocketOf(client);
  const peer = tls?.getPeerCertificate();
  const hasCertificate = peer !== undefined && peer !== null && Object.keys(peer).length > 0;
  if (hasCertificate) {
    if (!tls!.authorized) {
      const code = String(tls!.authorizationError ?? 'unknown');
      return { ok: false, reason: 'certificate', detail: NOT_FROM_THIS_CA.has(code) ? "certificate not issued by this run's CA" : `certificate refused: ${code}` };
    }
    const cn = peer.subject?.CN;
    const named = Array.isArray(cn) ? cn.join(',') : cn;
    if (named !== deviceId) return { ok: false, reason: 'certificate', detail: `certificate is for device ${named ?? '(no CN)'}, not ${deviceId}` };
  }
  const expected = credentials.get(deviceId);
  if (expected === undefined) return { ok: false, reason: 'unknown-device', detail: `no device ${deviceId} is provisioned` };
  const usernameFits = username === deviceId || username === client.id;
  if (hasCertificate) {
    return username === undefined || usernameFits ? { ok: true } : { ok: false, reason: 'password', detail: `username ${username} is neither ${deviceId} nor ${client.id}` };
  }
  if (!usernameFits) return { ok: false, reason: 'password', detail: username === undefined ? 'no username and no client certificate' : `username ${username} is neither ${deviceId} nor ${client.id}` };
  if (!passwordMatches(expected, password)) return { ok: false, reason: 'password', detail: password === undefined ? 'no password' : 'wrong password' };
  return { ok: true };
}

/**
 * The embedded aedes broker, on one or more listeners (mqtt, mqtts, ws, wss; default one mqtt
 * listener on loopback). A device connects as `<IMEI>` or `nrf-<IMEI>` and logs in by the
 * password issued for it or, on mqtts/wss, by a client certificate from the run's CA
 * (`checkLogin`). A refused PUBLISH is acknowledged and dropped
 * rather than answered by closing the connection, which MQTT 3.1.1 allows [MQTT-3.3.5-2]
 * and which keeps a misbehaving device's good traffic flowing so it can be counted.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<BrokerHandle> {
  const { credentials, hooks } = options;
  const topics = options.topics ?? DEFAULT_TOPICS;
  const listen: readonly ListenerSpec[] = options.listen ?? [{ protocol: 'mqtt', host: options.host ?? '127.0.0.1', port: options.port ?? 0 }];
  if (listen.length === 0) {
    throw new PinbenchError('LISTEN_URL_INVALID', 'the broker was given no listener; give at least one, e.g. --listen mqtts://127.0.0.1:8883');
  }
  const needsTls = listen.find(isTlsListener);
  if (needsTls !== undefined && options.tls === undefined) {
    throw new PinbenchError('BROKER_TLS_REQUIRED', `listener ${listenerUrl(needsTls)} needs a server certificate and CA; pass the broker \`tls\` issued by the local CA, or listen on mqtt:// or ws://`);
  }
  // The connected client of each device, whichever client id it used. aedes itself takes over
  // only a connection with the same client id [MQTT-3.1.4-2]; `<IMEI>` and `nrf-<IMEI>` are one
  // client too, so a device connecting under the other form closes its older connection here.
  const byDevice = new Map<string, Client>();
  const withDone = hooks.onPublishWithDone;
  const handOver = withDone === undefined ? undefined : new PublishHandOver(withDone);
  const broker = await Aedes.createBroker({
    // No cap on messages in flight. With aedes's 100, a connect storm of 10,000 trackers whose
    // sockets drain slowly queues thousands of messages behind 100 held deliveries, and when
    // they drain mqemitter runs the queue recursively until the stack overflows (RangeError in
    // mqemitter's `released`, which crashed a city-10k run; mcollina/mqemitter#204). A device
    // that stops reading is still cut off by drainTimeout.
    concurrency: 0,
    ...(withDone === undefined
      ? {}
      : {
          published(packet: PublishPacket, client: Client | null, done: (error?: Error) => void) {
            if (client === null || packet.topic === DENIED_TOPIC) return done();
            // The client's next packets wait for the ingest's done (backpressure). Through
            // holdReads, aedes's own callback is answered now and its per-publish state freed.
            const release = holdReads(client);
            handOver?.add(deviceIdOfClientId(client.id), packet.topic, packet.payload as Buffer, release ?? (() => done()));
            if (release !== undefined) done();
          },
        }),
    preConnect(client: Client, packet, callback) {
      const refused = refuseMqtt5(client, packet, (error) => {
        hooks.onAuthFailed(packet.clientId, 'protocol-version', error.message);
        callback(error, false);
      });
      if (!refused) callback(null, true);
    },
    authenticate(client: Client, username, password, done) {
      const verdict = checkLogin(credentials, client, username, password);
      if (!verdict.ok) {
        hooks.onAuthFailed(client.id, verdict.reason, verdict.detail);
        done(authError(verdict.reason, verdict.detail), false);
        return;
      }
      // The device is connected already: this login takes its session over (aedes or the
      // 'client' handler below closes the older connection once this one is registered).
      const deviceId = deviceIdOfClientId(client.id);
      const current = byDevice.get(deviceId);
      if (current !== undefined && current !== client && !current.closed) hooks.onTakeover?.(deviceId);
      done(null, true);
    },
    authorizePublish(client: Client | null, packet: PublishPacket, done) {
      if (client === null) return done(null);
      const deviceId = deviceIdOfClientId(client.id);
      if (!topics.mayPublish(deviceId, packet.topic)) {
        hooks.onDenied(deviceId, packet.topic, Buffer.from(packet.payload), 'acl.publish');
        packet.topic = DENIED_TOPIC;
        packet.retain = false;
      }
      done(null);
    },
    authorizeSubscribe(client: Client, subscription, done) {
      const deviceId = deviceIdOfClientId(client.id);
      if (!topics.maySubscribe(deviceId, subscription.topic)) {
        hooks.onDenied(deviceId, subscription.topic, Buffer.alloc(0), 'acl.subscribe');
        done(null, null);
        return;
      }
      done(null, subscription);
    },
  });
  if (withDone === undefined) {
    broker.on('publish', (packet, client) => {
      if (client === null || packet.topic === DENIED_TOPIC) return;
      hooks.onPublish(deviceIdOfClientId(client.id), packet.topic, packet.payload as Buffer);
    });
  }

  // Backend → device messages waiting for their PUBACK, per connection, in sending order per
  // topic. Keyed by the aedes client, not the device: when a device reconnects, the old
  // connection's messages fail with it and the new one's are unaffected.
  const awaitingAck = new Map<Client, Array<{ topic: string; settle: (acked: boolean) => void }>>();
  const settleFirst = (client: Client, topic: string | undefined, acked: boolean) => {
    const queue = awaitingAck.get(client);
    if (queue === undefined) return;
    if (topic === undefined || queue.length === 0) {
      awaitingAck.delete(client);
      for (const entry of queue) entry.settle(acked);
      return;
    }
    // aedes's in-memory persistence may hand the ack no packet: then the oldest one is acked
    // (a client acknowledges QoS 1 messages in the order it received them).
    const found = queue.findIndex((entry) => entry.topic === topic);
    const k = found < 0 ? 0 : found;
    const [entry] = queue.splice(k, 1);
    if (queue.length === 0) awaitingAck.delete(client);
    entry!.settle(acked);
  };
  broker.on('ack', (packet, client) => {
    if (client === null) return;
    settleFirst(client, packet !== undefined && 'topic' in packet ? packet.topic : '', true);
  });

  broker.on('client', (client) => {
    const deviceId = deviceIdOfClientId(client.id);
    const older = byDevice.get(deviceId);
    byDevice.set(deviceId, client);
    if (older !== undefined && older !== client && !older.closed) older.close();
  });
  broker.on('clientDisconnect', (client) => {
    const deviceId = deviceIdOfClientId(client.id);
    if (byDevice.get(deviceId) === client) byDevice.delete(deviceId);
    settleFirst(client, undefined, false);
  });
  // Per client, the last PUBLISH refused for its topic (see watchRefusedPublishes).
  const refusedPublishOf = new WeakMap<Client, () => RefusedPublish | undefined>();
  const onClientError = (client: Client, error: Error) => {
    if (!isProtocolViolation(error)) return;
    const deviceId = typeof client.id === 'string' && client.id.length > 0 ? deviceIdOfClientId(client.id) : null;
    hooks.onProtocolViolation?.(deviceId, error.message, refusedPublishOf.get(client)?.());
  };
  broker.on('clientError', onClientError);
  broker.on('connectionError', onClientError);
  if (hooks.onSubscribe !== undefined) {
    const onSubscribe = hooks.onSubscribe;
    broker.on('subscribe', (subscriptions, client) => {
      const granted = subscriptions.filter((s) => (s.qos as number) !== 128).map((s) => s.topic);
      if (client !== null && granted.length > 0) onSubscribe(deviceIdOfClientId(client.id), granted);
    });
  }
  const deliver = (deviceId: string, topic: string, payload: Uint8Array, timeoutMs = 5000): Promise<boolean> => {
    const client = byDevice.get(deviceId);
    if (client === undefined) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let done = false;
      const timer = setTimeout(() => settle(false), timeoutMs);
      const settle = (acked: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(acked);
      };
      const queue = awaitingAck.get(client) ?? [];
      queue.push({ topic, settle });
      awaitingAck.set(client, queue);
      const packet = { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false } as PublishPacket;
      broker.publish(packet, (error) => {
        if (error) settle(false);
      });
    });
  };

  let tlsFailures = 0;
  const onTlsFailure = (remote: string, reason: string) => {
    tlsFailures += 1;
    hooks.onTlsFailure?.(remote, reason);
  };
  const maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const handle = (stream: Parameters<typeof broker.handle>[0], req?: Parameters<typeof broker.handle>[1]) => {
    const client = broker.handle(stream, req);
    if (hooks.onProtocolViolation !== undefined) refusedPublishOf.set(client, watchRefusedPublishes(client));
    capPacketSize(client, maxPacketBytes, (c, cmd, length) => {
      hooks.onTooLarge?.(typeof c.id === 'string' && c.id.length > 0 ? deviceIdOfClientId(c.id) : null, cmd, length);
    });
    return client;
  };
  const closeBroker = () => new Promise<void>((resolve) => broker.close(() => resolve()));
  const listeners: RunningListener[] = [];
  try {
    for (const spec of listen) {
      listeners.push(
        await startListener(spec, {
          handle,
          tls: options.tls,
          onTlsFailure,
          // The one default listener comes from --broker-port.
          portAdvice: options.listen === undefined ? 'choose another --broker-port or omit it for a free port' : undefined,
        }),
      );
    }
  } catch (error) {
    await closeBroker();
    await Promise.all(listeners.map((listener) => listener.close()));
    throw error;
  }
  const main = listeners.find((listener) => listener.spec.protocol === 'mqtt') ?? listeners[0]!;
  let down = false;
  const outage: BrokerOutage = {
    async takeDown() {
      if (down) return 0;
      down = true;
      const connected = broker.connectedClients;
      // Closing a listener destroys every socket it accepted: each client sees its connection drop.
      await Promise.all(listeners.map((listener) => listener.close()));
      return connected;
    },
    async bringUp() {
      if (!down) return;
      for (const [i, listener] of listeners.entries()) {
        // The same port the listener had, so the URLs devices and credentials files know stay right.
        listeners[i] = await startListener({ ...listener.spec, port: listener.port }, { handle, tls: options.tls, onTlsFailure });
      }
      down = false;
    },
  };

  return {
    url: main.url,
    port: main.port,
    urls: listeners.map((listener) => listener.url),
    connectedClients: () => broker.connectedClients,
    isConnected: (deviceId) => byDevice.has(deviceId),
    tlsFailures: () => tlsFailures,
    deliver,
    outage,
    async close() {
      handOver?.flush();
      await closeBroker();
      if (!down) await Promise.all(listeners.map((listener) => listener.close()));
    },
  };
}
