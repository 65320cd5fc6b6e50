import { join } from 'node:path';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { topicLayout } from '../../protocol/topics.ts';
import { readCredentialsFile, type DeviceCredentials } from '../attach/credentials-file.ts';
import { mqttLoginOptions } from '../attach/mqtt-login.ts';
import type { Capture } from '../capture/capture-reader.ts';
import type { CapturedPublish } from '../capture/capture-format.ts';

const PAGE = 2000;

export interface LiveReplayResult {
  devices: number;
  /** Readings the broker acknowledged (PUBACK): whether the backend accepted them is its run's to say. */
  acknowledged: number;
  failed: number;
}

/** Waits `ms`, or less when `signal` aborts. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

async function connect(deviceId: string, credentials: DeviceCredentials, url: string): Promise<MqttClient> {
  const options: IClientOptions = { ...mqttLoginOptions(credentials), reconnectPeriod: 0, connectTimeout: 10_000 };
  try {
    return await mqtt.connectAsync(url, options);
  } catch (cause) {
    throw new PinbenchError(
      'REPLAY_BROKER_REFUSED',
      `${url}: device ${deviceId} could not log in (${(cause as Error).message}); check the URL and that the credentials are those of the run listening there`,
      { cause, details: { url, deviceId } },
    );
  }
}

/**
 * `pinbench replay <capture> --to <url> --credentials <dir>`: plays a capture's readings, bytes
 * unchanged, into a broker that is running now, at the recorded pace divided by `speed` (or as
 * fast as acknowledgements come, `max`), each device logging in with `<dir>/<IMEI>.json` and
 * publishing on the data topic its credentials name. Played into the run that recorded them,
 * the ingest refuses every one as `replay` (not newer than that device's last accepted reading).
 * Only readings are played; a recorded registration confirm answers a proposal long gone.
 */
export async function replayIntoBroker(input: {
  capture: Capture;
  /** Overrides each credentials file's own URL. */
  url?: string;
  credentialsDir: string;
  speed: number | 'max';
  logger: Logger;
  signal?: AbortSignal;
}): Promise<LiveReplayResult> {
  const { capture, credentialsDir, speed, logger, signal } = input;
  const recorded = topicLayout(capture.meta.topics);
  const isReading = (p: CapturedPublish) => recorded.uplinkKind(p.deviceId, p.topic) === 'data';
  const clients = new Map<string, { client: MqttClient; topic: string }>();
  const result: LiveReplayResult = { devices: 0, acknowledged: 0, failed: 0 };
  const clientOf = async (deviceId: string) => {
    const known = clients.get(deviceId);
    if (known !== undefined) return known;
    const credentials = readCredentialsFile(join(credentialsDir, `${deviceId}.json`));
    const entry = { client: await connect(deviceId, credentials, input.url ?? credentials.url), topic: credentials.topics.data };
    clients.set(deviceId, entry);
    result.devices = clients.size;
    return entry;
  };
  try {
    let after = 0;
    let firstMs: number | undefined;
    const wallStart = performance.now();
    for (;;) {
      const page = capture.publishes(after, PAGE);
      if (page.length === 0 || signal?.aborted) break;
      after = page[page.length - 1]!.seq;
      const sends: Array<Promise<void>> = [];
      for (const p of page) {
        if (!isReading(p)) continue;
        firstMs ??= p.backendMs;
        if (speed !== 'max') {
          const dueMs = (p.backendMs - firstMs) / speed - (performance.now() - wallStart);
          if (dueMs > 1) await sleep(dueMs, signal);
          if (signal?.aborted) break;
        }
        const { client, topic } = await clientOf(p.deviceId);
        // One client per device keeps its readings in recorded order (MQTT keeps a connection's order).
        sends.push(
          client.publishAsync(topic, Buffer.from(p.payload), { qos: 1 }).then(
            () => void (result.acknowledged += 1),
            (error: unknown) => {
              result.failed += 1;
              logger.debug(`${p.deviceId}: replayed publish failed: ${(error as Error).message}`);
            },
          ),
        );
      }
      await Promise.all(sends);
    }
  } finally {
    await Promise.all([...clients.values()].map(({ client }) => client.endAsync().catch(() => undefined)));
  }
  return result;
}
