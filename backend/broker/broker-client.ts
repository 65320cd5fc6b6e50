import mqtt from 'mqtt';
import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { TopicLayout } from '../../protocol/topics.ts';
import { connectFailureAdvice, connectFailureReason } from './connect-failure.ts';

/** How pinbench's backend logs in to a team's broker: its URL, its own login and TLS material. */
export interface ExternalBrokerLogin {
  /** mqtt://, mqtts://, ws:// or wss://, without credentials. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** The CA that signed the broker's server certificate (mqtts/wss), PEM. */
  readonly caPem?: string;
  /** A client certificate and key for the backend's login, PEM. */
  readonly certPem?: string;
  readonly keyPem?: string;
}

/** mqtt.js's options for logging in as `login` (its username, password, CA and client certificate, where given). */
export function loginOptions(login: ExternalBrokerLogin): Pick<IClientOptions, 'username' | 'password' | 'ca' | 'cert' | 'key'> {
  return {
    ...(login.username === undefined ? {} : { username: login.username }),
    ...(login.password === undefined ? {} : { password: login.password }),
    ...(login.caPem === undefined ? {} : { ca: login.caPem }),
    ...(login.certPem === undefined ? {} : { cert: login.certPem }),
    ...(login.keyPem === undefined ? {} : { key: login.keyPem }),
  };
}

/** The subscription group all of pinbench's ingest connections share, so the broker splits the devices' traffic between them. */
export const SHARE_GROUP = 'pinbench';

export interface BrokerClientHooks {
  /** An uplink as the broker delivered it; `done` once it is handled (bounds what is held, see `window`). */
  onUplink(topic: string, payload: Buffer, done: () => void): void;
}

export interface BrokerClient {
  readonly url: string;
  /** Whether the uplink subscriptions are shared ones (`$share/pinbench/…`). */
  readonly shared: boolean;
  /** Backend → device at QoS 1: resolves true once the broker acknowledged it (it cannot tell whether the device got it). */
  deliver(deviceId: string, topic: string, payload: Uint8Array, timeoutMs?: number): Promise<boolean>;
  /** Messages received from the broker so far. */
  received(): number;
  /** Times the connection was lost and made again. */
  reconnects(): number;
  close(): Promise<void>;
}

export interface BrokerClientOptions {
  login: ExternalBrokerLogin;
  /** Unique per connection: a shared subscription's members must each have their own. */
  clientId: string;
  topics: TopicLayout;
  hooks: BrokerClientHooks;
  /**
   * Uplinks handed over and not yet done before the client stops reading from the broker: its
   * one connection carries every device's traffic, so holding each message until it is done
   * (as the embedded broker holds each device) would serialize the whole fleet.
   */
  window?: number;
  connectTimeoutMs?: number;
  /**
   * What to subscribe to: default every device's uplinks (`device/+/data`, …, shared where the
   * broker offers it); a list of topics (an ingest worker's share of the devices); or none (publish
   * only: the downlinks, the uplinks reaching the backend through its ingest workers).
   */
  subscribe?: 'all' | readonly string[];
  logger: Logger;
}

const SUBSCRIBE_BATCH = 1000;

/** Sessions outlive a lost connection by this long, so the broker keeps what arrives meanwhile. */
const SESSION_EXPIRY_S = 300;

function refused(login: ExternalBrokerLogin, reason: string, detail: string): PinbenchError {
  return new PinbenchError('BROKER_UNREACHABLE', `backend: ${connectFailureAdvice(reason, login.url)} [${detail}]`, { details: { url: login.url, reason } });
}

/** One connection attempt; resolves at CONNACK with the client, whose reconnecting is off until then. */
function connectOnce(options: BrokerClientOptions, protocolVersion: 4 | 5): Promise<MqttClient> {
  const { login } = options;
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    protocolVersion,
    clean: protocolVersion === 4,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_S } } : {}),
    keepalive: 30,
    reconnectPeriod: 0,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...loginOptions(login),
    rejectUnauthorized: true,
    manualConnect: true,
  };
  const client = mqtt.connect(login.url, clientOptions);
  return new Promise<MqttClient>((resolve, reject) => {
    const fail = (error: unknown) => {
      cleanup();
      client.end(true);
      reject(error);
    };
    const closed = () => fail(new Error('connection closed before CONNACK'));
    const cleanup = () => {
      client.off('error', fail);
      client.off('close', closed);
    };
    client.once('error', fail);
    client.once('close', closed);
    client.once('connect', () => {
      cleanup();
      resolve(client);
    });
    client.connect();
  });
}

/**
 * pinbench's backend as one more client of a team's broker (Mosquitto, EMQX, HiveMQ, …): it
 * subscribes at QoS 1 to every device's uplinks (`device/+/data`, `…/confirm`, `…/query`), as a
 * shared subscription `$share/pinbench/…` where the broker offers them (MQTT 5), and publishes the
 * downlinks. Which device sent an uplink it reads from the topic: that broker's ACL, not
 * pinbench's, keeps a device to its own topics. A lost connection is made again with the same
 * session, so the broker holds what arrives meanwhile.
 */
export async function connectBrokerClient(options: BrokerClientOptions): Promise<BrokerClient> {
  const { login, topics, hooks, logger } = options;
  let client: MqttClient;
  try {
    client = await connectOnce(options, 5);
  } catch (error) {
    const reason = connectFailureReason(error);
    if (reason !== 'connack.unacceptable-protocol-version') throw refused(login, reason, (error as Error).message);
    try {
      client = await connectOnce(options, 4);
    } catch (again) {
      throw refused(login, connectFailureReason(again), (again as Error).message);
    }
  }
  const v5 = client.options.protocolVersion === 5;
  // MQTT 5's CONNACK says whether shared subscriptions are available (absent: they are) [MQTT-3.2.2.3.17].
  const connack = (client as unknown as { _serverProperties?: { sharedSubscriptionAvailable?: boolean } })._serverProperties;
  const shared = v5 && connack?.sharedSubscriptionAvailable !== false;

  let received = 0;
  let reconnects = 0;
  let closing = false;
  // Flow control: the broker's messages are acknowledged (and the next read) once fewer than
  // `window` are in hand; beyond that the acknowledgements wait, and so does the socket.
  const window = options.window ?? 2000;
  let inHand = 0;
  const held: Array<() => void> = [];
  const release = () => {
    inHand -= 1;
    while (held.length > 0 && inHand < window) held.shift()!();
  };
  client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
    received += 1;
    inHand += 1;
    let once = false;
    const done = () => {
      if (once) return;
      once = true;
      release();
    };
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    try {
      hooks.onUplink(packet.topic, payload, done);
    } finally {
      if (inHand <= window) callback();
      else held.push(() => callback());
    }
  };

  const only = options.subscribe === undefined || options.subscribe === 'all' ? undefined : options.subscribe;
  const everyDevice = only === undefined;
  const filters: readonly string[] = only ?? topics.uplinkFilters().map((filter) => (shared ? `$share/${SHARE_GROUP}/${filter}` : filter));
  const granted: Array<{ topic: string; qos: number }> = [];
  // In parts, so a worker's thousands of topics never make one oversized SUBSCRIBE.
  for (let i = 0; i < filters.length; i += SUBSCRIBE_BATCH) granted.push(...(await client.subscribeAsync([...filters.slice(i, i + SUBSCRIBE_BATCH)], { qos: 1 })));
  const denied = granted.filter((g) => g.qos >= 128);
  if (denied.length > 0) {
    await client.endAsync(true);
    throw new PinbenchError('BROKER_SUBSCRIBE_REFUSED', `the broker at ${login.url} refused the backend's subscription to ${denied.map((g) => g.topic).join(', ')} (reason ${denied[0]!.qos}): give the backend's user (${login.username ?? 'no username'}) read access to the devices' uplinks, as the ACL \`pinbench provision\` writes does`);
  }

  // Reconnect from now on, with the session kept (MQTT 5) or the subscriptions re-made (3.1.1).
  client.options.reconnectPeriod = 1000;
  client.on('offline', () => {
    if (!closing) logger.warn(`backend: lost its connection to ${login.url}; reconnecting every second (the broker keeps the session's messages for ${SESSION_EXPIRY_S} s)`);
  });
  client.on('connect', () => {
    reconnects += 1;
    logger.info(`backend: connected to ${login.url} again`);
  });
  client.on('error', (error) => {
    if (!closing) logger.warn(`backend: ${connectFailureAdvice(connectFailureReason(error), login.url)} [${error.message}]`);
  });

  return {
    url: login.url,
    shared: everyDevice && shared,
    received: () => received,
    reconnects: () => reconnects,
    deliver(_deviceId, topic, payload, timeoutMs = 5000) {
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        client.publish(topic, Buffer.from(payload), { qos: 1 }, (error) => {
          clearTimeout(timer);
          resolve(error === undefined || error === null);
        });
      });
    },
    async close() {
      closing = true;
      for (const callback of held.splice(0)) callback();
      await client.endAsync(false);
    },
  };
}
