import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { DeviceCredentials } from '../attach/credentials-file.ts';
import { mqttLoginOptions } from '../attach/mqtt-login.ts';
import { PublishQueue } from './publish-queue.ts';

export interface UplinkStats {
  /** Handed to the connection (a reading resent after a reconnect counts once). */
  readonly published: number;
  /** PUBACK received. */
  readonly acked: number;
  /** Waiting for a connection. */
  readonly queued: number;
  /** Dropped because the queue was full. */
  readonly dropped: number;
  readonly connected: boolean;
}

export interface MqttUplink {
  /** Publishes at QoS 1 on the device's data topic now, or queues it while disconnected. */
  send(payload: Uint8Array): void;
  stats(): UplinkStats;
  /** Resolves when nothing is queued or waiting for its PUBACK, or after `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface UplinkOptions {
  readonly logger: Logger;
  readonly queueCapacity?: number;
  /** mqtt.js's reconnect period; default 1 s. */
  readonly reconnectPeriodMs?: number;
  /** How long the start waits for a first answer from the broker before reading anyway. */
  readonly startWaitMs?: number;
}

export const DEFAULT_QUEUE_CAPACITY = 1000;

/** MQTT 3.1.1 CONNACK return codes 4 and 5, the ones another try will not fix. */
function isLoginRefusal(error: Error): boolean {
  const code = (error as Error & { code?: unknown }).code;
  return code === 4 || code === 5;
}

/**
 * The device's MQTT connection. mqtt.js reconnects by itself and resends what was in flight; the
 * bridge's own bounded queue holds readings taken while there was no connection, so an outage of
 * hours costs at most `queueCapacity` readings of memory.
 */
export async function connectUplink(credentials: DeviceCredentials, options: UplinkOptions): Promise<MqttUplink> {
  const { logger } = options;
  const queue = new PublishQueue<Uint8Array>(options.queueCapacity ?? DEFAULT_QUEUE_CAPACITY);
  const connectOptions: IClientOptions = {
    ...mqttLoginOptions(credentials),
    keepalive: 60,
    reconnectPeriod: options.reconnectPeriodMs ?? 1000,
    connectTimeout: 30_000,
    // After the first login, a refusal is most likely a broker restarting with its directory not
    // yet loaded: keep trying rather than go quiet for good.
    reconnectOnConnackError: true,
  };
  const client: MqttClient = mqtt.connect(credentials.url, connectOptions);
  const topic = credentials.topics.data;
  let published = 0;
  let acked = 0;
  let failed = 0;
  let everConnected = false;
  let wasConnected = false;
  let lastError: Error | undefined;
  let closing = false;
  let refusalWarned = false;
  const waiters = new Set<() => void>();
  const settled = () => queue.length === 0 && published === acked + failed;
  const wake = () => {
    if (!settled()) return;
    for (const resolve of waiters) resolve();
    waiters.clear();
  };

  const publishNow = (payload: Uint8Array) => {
    published++;
    client.publish(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: 1 }, (error) => {
      if (error) failed++;
      else acked++;
      wake();
    });
  };

  await new Promise<void>((resolve, reject) => {
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      clearTimeout(waitTimer);
      resolve();
    };
    const waitTimer = setTimeout(() => {
      logger.warn(`MQTT: no answer from ${credentials.url} yet; reading anyway, readings are queued until it answers`);
      start();
    }, options.startWaitMs ?? 5000);
    client.on('connect', () => {
      const queued = queue.drain();
      if (everConnected) logger.info(`MQTT connected again to ${credentials.url}${queued.length > 0 ? `; sending ${queued.length} queued readings` : ''}`);
      everConnected = true;
      wasConnected = true;
      refusalWarned = false;
      for (const payload of queued) publishNow(payload);
      start();
    });
    client.on('error', (error) => {
      lastError = error;
      if (isLoginRefusal(error) && !everConnected && !started) {
        started = true;
        clearTimeout(waitTimer);
        client.end(true);
        reject(
          new PinbenchError(
            'BRIDGE_MQTT_REFUSED',
            `the broker at ${credentials.url} refused ${credentials.clientId}: ${error.message}; the credentials file does not match the run's device directory — write it again with \`pinbench device add\` or take it from <run folder>/attached/`,
            { details: { url: credentials.url, clientId: credentials.clientId }, cause: error },
          ),
        );
        return;
      }
      if (isLoginRefusal(error) && !refusalWarned) {
        refusalWarned = true;
        logger.warn(`MQTT: the broker at ${credentials.url} refused ${credentials.clientId} (${error.message}); retrying, readings are queued`);
        return;
      }
      logger.debug(`MQTT: ${error.message}`);
    });
    client.on('close', () => {
      if (wasConnected) {
        wasConnected = false;
        if (closing) return;
        logger.warn(`MQTT connection to ${credentials.url} lost${lastError ? ` (${lastError.message})` : ''}; reconnecting, readings are queued (up to ${queue.capacity})`);
      } else if (!started) {
        logger.warn(`MQTT: cannot reach ${credentials.url} yet${lastError ? ` (${lastError.message})` : ''}; reading anyway, readings are queued until it answers`);
        start();
      }
      lastError = undefined;
    });
  });

  return {
    send(payload) {
      if (client.connected) publishNow(payload);
      else queue.push(payload);
    },
    stats: () => ({ published, acked, queued: queue.length, dropped: queue.dropped, connected: client.connected }),
    flush(timeoutMs) {
      if (settled()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(done);
      });
    },
    close() {
      closing = true;
      return client.endAsync(true);
    },
  };
}
