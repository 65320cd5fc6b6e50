import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { MqttConnectOptions, MqttConnector, MqttLink } from '../../devices/index.ts';
import type { LatencyTracker } from './latency-tracker.ts';
import { DEFAULT_HANDSHAKES_AT_ONCE, HandshakeLimit } from './handshake-limit.ts';
import { deviceTlsOptions, type BrokerTarget } from './broker-target.ts';
import { connectFailureReason } from '../../backend/broker/connect-failure.ts';

/** Connects and refusals by reason (`connack.not-authorized`, `tls.name-mismatch`, `unreachable`, …), as the devices saw them. */
export interface ConnectOutcomes {
  /** A CONNACK came `handshakeMs` (wall) after the socket was opened. */
  connected(handshakeMs: number): void;
  failed(reason: string): void;
}

export interface MqttConnectorOptions {
  /** Where to connect, asked at each connect (the broker starts after the fleet is built). */
  target: () => BrokerTarget;
  latency?: LatencyTracker;
  connectTimeoutMs?: number;
  /** Handshakes (TCP connect to CONNACK) under way at once; default {@link DEFAULT_HANDSHAKES_AT_ONCE}. */
  handshakesAtOnce?: number;
  outcomes?: ConnectOutcomes;
  /** Told each QoS 1 publish's PUBACK latency, wall ms. */
  acked?: (latencyMs: number) => void;
  wallNowMs?: () => number;
}

/**
 * Real MQTT connections over mqtt.js, one per device. mqtt.js's own reconnect is off: the
 * tracker's machine owns reconnection (`backoff`), as the Pebble firmware does. Handshakes
 * beyond `handshakesAtOnce` wait for a free slot before they open a socket.
 */
export function createMqttConnector(options: MqttConnectorOptions): MqttConnector {
  const handshakes = new HandshakeLimit(options.handshakesAtOnce ?? DEFAULT_HANDSHAKES_AT_ONCE);
  return { connect: (credentials) => handshakes.run(() => openLink(options, credentials)) };
}

/** One connection: resolves at CONNACK, rejects when the handshake fails. */
function openLink(options: MqttConnectorOptions, { clientId, username, password }: MqttConnectOptions): Promise<MqttLink> {
  const target = options.target();
  // From the socket's opening (a free handshake slot) to the CONNACK: the broker's side of a
  // connect, without the time the bench's own handshake limit kept the device waiting.
  const openedAt = performance.now();
  const outcome = new Promise<MqttLink>((resolve, reject) => {
    const client: MqttClient = mqtt.connect(target.url, {
      clientId,
      username,
      password,
      ...deviceTlsOptions(target, username),
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 0,
      connectTimeout: options.connectTimeoutMs ?? 30_000,
    });
    let opened = false;
    let ended = false;
    let closeHandler: ((reason?: Error) => void) | undefined;
    let lastError: Error | undefined;
    client.on('error', (error) => {
      lastError = error;
      if (!opened) {
        client.end(true);
        reject(error);
      }
    });
    client.once('connect', () => {
      opened = true;
      resolve(link);
    });
    client.on('close', () => {
      if (!opened) {
        reject(lastError ?? new Error('connection closed before CONNACK'));
        return;
      }
      if (!ended) {
        ended = true;
        // mqtt.js keeps QoS 1 publishes of a lost connection for a reconnect that never
        // comes (reconnect is off): without this they would wait forever, and in
        // accelerated time every later slice would wait its full time for them.
        client.end(true);
        closeHandler?.(lastError);
      }
    });
    const link: MqttLink = {
      publish(topic, payload, qos) {
        options.latency?.sent(clientId, payload);
        const { acked, wallNowMs } = options;
        const sent = client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos });
        if (acked === undefined || wallNowMs === undefined || qos === 0) return sent.then(() => undefined);
        const t0 = wallNowMs();
        return sent.then(() => acked(wallNowMs() - t0));
      },
      subscribe(topic) {
        return client.subscribeAsync(topic, { qos: 1 }).then((granted) => {
          if (granted.some((g) => g.qos === 128)) throw new Error(`subscription to ${topic} refused by the broker`);
        });
      },
      onMessage(handler) {
        client.removeAllListeners('message');
        client.on('message', (topic, payload) => handler(topic, payload));
      },
      onClose(handler) {
        closeHandler = handler;
      },
      end() {
        ended = true;
        // A closed connection cannot deliver what is still unacknowledged: fail it now.
        return client.endAsync(!client.connected);
      },
    };
  });
  const outcomes = options.outcomes;
  if (outcomes === undefined) return outcome;
  return outcome.then(
    (link) => {
      outcomes.connected(performance.now() - openedAt);
      return link;
    },
    (error: unknown) => {
      outcomes.failed(connectFailureReason(error));
      throw error;
    },
  );
}
