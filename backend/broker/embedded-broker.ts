import { createServer, type Server, type AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Aedes, type Client, type PublishPacket, type AuthenticateError } from 'aedes';
import { PinbenchError } from '../../core/errors.ts';
import { DEFAULT_TOPICS, type TopicLayout } from '../../protocol/topics.ts';
import { PublishHandOver } from './publish-hand-over.ts';

/** What the broker hands to the ingest. */
export interface BrokerHooks {
  /** An authorised publish from a device; called once per received PUBLISH. */
  onPublish(clientId: string, topic: string, payload: Buffer): void;
  /**
   * Used instead of `onPublish` when given: the broker reads no further packets from that
   * client until `done` is called, so a slower ingest slows the senders (TCP backpressure)
   * instead of queueing without bound. aedes sends a QoS 1 PUBACK before this runs; publishes
   * are handed over once per turn of the event loop, in arrival order (`PublishHandOver`).
   */
  onPublishWithDone?(clientId: string, topic: string, payload: Buffer, done: () => void): void;
  /** A publish or subscription the ACL refused (the run goes on; the refusal is counted). */
  onDenied(clientId: string, topic: string, payload: Buffer, reason: 'acl.publish' | 'acl.subscribe'): void;
  /** A connection attempt with bad credentials. */
  onAuthFailed(clientId: string, reason: string): void;
  /** A device's subscriptions the ACL granted (after SUBACK was written), e.g. `backend/<id>/#`. */
  onSubscribe?(clientId: string, topicFilters: readonly string[]): void;
}

export interface BrokerHandle {
  readonly url: string;
  readonly port: number;
  connectedClients(): number;
  /**
   * Sends a backend message to one connected device at QoS 1. Resolves `true` once the device
   * acknowledged it (PUBACK: its client has handled the message by then), `false` when the
   * device is not connected or disconnects first, or after `timeoutMs` of wall time.
   */
  deliver(clientId: string, topic: string, payload: Uint8Array, timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host?: string;
  port?: number;
  /** device id → password issued at provisioning. */
  credentials: ReadonlyMap<string, string>;
  hooks: BrokerHooks;
  /** The topic layout the ACL follows; default the Pebble firmware's. */
  topics?: TopicLayout;
}

/**
 * Connections the kernel queues before aedes accepts them (Node's default is 511; Linux caps it
 * at net.core.somaxconn, 4096 on current kernels). A fleet keeps its own handshakes well below
 * this (`HandshakeLimit`); the rest is room for real hardware and other clients.
 */
const LISTEN_BACKLOG = 4096;

/** Publishes the ACL refused are re-routed here: no client can subscribe to it. */
const DENIED_TOPIC = '$pinbench/denied';

function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: 4 as const });
}

function passwordMatches(expected: string, given: Buffer | undefined): boolean {
  if (given === undefined) return false;
  const want = Buffer.from(expected);
  return want.length === given.length && timingSafeEqual(want, given);
}

/**
 * The embedded aedes broker on loopback. Devices authenticate with client id = username =
 * device id and the password issued for it. A refused PUBLISH is acknowledged and dropped
 * rather than answered by closing the connection, which MQTT 3.1.1 allows [MQTT-3.3.5-2]
 * and which keeps a misbehaving device's good traffic flowing so it can be counted.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<BrokerHandle> {
  const { credentials, hooks } = options;
  const topics = options.topics ?? DEFAULT_TOPICS;
  const host = options.host ?? '127.0.0.1';
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
            handOver?.add(client.id, packet.topic, packet.payload as Buffer, () => done());
          },
        }),
    authenticate(client: Client, username, password, done) {
      const expected = credentials.get(client.id);
      if (expected === undefined || username !== client.id || !passwordMatches(expected, password)) {
        hooks.onAuthFailed(client.id, expected === undefined ? 'unknown device' : 'bad username or password');
        done(authError('bad username or password'), false);
        return;
      }
      done(null, true);
    },
    authorizePublish(client: Client | null, packet: PublishPacket, done) {
      if (client === null) return done(null);
      if (!topics.mayPublish(client.id, packet.topic)) {
        hooks.onDenied(client.id, packet.topic, Buffer.from(packet.payload), 'acl.publish');
        packet.topic = DENIED_TOPIC;
        packet.retain = false;
      }
      done(null);
    },
    authorizeSubscribe(client: Client, subscription, done) {
      if (!topics.maySubscribe(client.id, subscription.topic)) {
        hooks.onDenied(client.id, subscription.topic, Buffer.alloc(0), 'acl.subscribe');
        done(null, null);
        return;
      }
      done(null, subscription);
    },
  });
  if (withDone === undefined) {
    broker.on('publish', (packet, client) => {
      if (client === null || packet.topic === DENIED_TOPIC) return;
      hooks.onPublish(client.id, packet.topic, packet.payload as Buffer);
    });
  }

  // Backend → device messages waiting for their PUBACK, per client, in sending order per topic.
  const awaitingAck = new Map<string, Array<{ topic: string; settle: (acked: boolean) => void }>>();
  const settleFirst = (clientId: string, topic: string | undefined, acked: boolean) => {
    const queue = awaitingAck.get(clientId);
    if (queue === undefined) return;
    if (topic === undefined || queue.length === 0) {
      awaitingAck.delete(clientId);
      for (const entry of queue) entry.settle(acked);
      return;
    }
    // aedes's in-memory persistence may hand the ack no packet: then the oldest one is acked
    // (a client acknowledges QoS 1 messages in the order it received them).
    const found = queue.findIndex((entry) => entry.topic === topic);
    const k = found < 0 ? 0 : found;
    const [entry] = queue.splice(k, 1);
    if (queue.length === 0) awaitingAck.delete(clientId);
    entry!.settle(acked);
  };
  broker.on('ack', (packet, client) => {
    if (client === null) return;
    settleFirst(client.id, packet !== undefined && 'topic' in packet ? packet.topic : '', true);
  });
  broker.on('clientDisconnect', (client) => settleFirst(client.id, undefined, false));
  // aedes keeps its connected clients by id (not in its type declarations).
  const clients = (broker as unknown as { clients: Record<string, Client | undefined> }).clients;
  if (hooks.onSubscribe !== undefined) {
    const onSubscribe = hooks.onSubscribe;
    broker.on('subscribe', (subscriptions, client) => {
      const granted = subscriptions.filter((s) => (s.qos as number) !== 128).map((s) => s.topic);
      if (client !== null && granted.length > 0) onSubscribe(client.id, granted);
    });
  }
  const deliver = (clientId: string, topic: string, payload: Uint8Array, timeoutMs = 5000): Promise<boolean> => {
    if (clients[clientId] === undefined) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let done = false;
      const timer = setTimeout(() => settle(false), timeoutMs);
      const settle = (acked: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(acked);
      };
      const queue = awaitingAck.get(clientId) ?? [];
      queue.push({ topic, settle });
      awaitingAck.set(clientId, queue);
      const packet = { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false } as PublishPacket;
      broker.publish(packet, (error) => {
        if (error) settle(false);
      });
    });
  };

  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        new PinbenchError(
          'BROKER_LISTEN_FAILED',
          `cannot listen for MQTT on ${host}:${options.port ?? 0}: ${cause.code ?? cause.message}; choose another --broker-port or omit it for a free port`,
          { cause },
        ),
      ),
    );
    server.listen({ port: options.port ?? 0, host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `mqtt://${host}:${port}`,
    port,
    connectedClients: () => broker.connectedClients,
    deliver,
    async close() {
      handOver?.flush();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
