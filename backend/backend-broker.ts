import type { Logger } from '../core/ports.ts';
import type { TopicLayout } from '../protocol/topics.ts';
import type { PayloadCodecName } from '../protocol/codec/payload-codecs.ts';
import type { BrokerHandle } from './broker/embedded-broker.ts';
import { connectBrokerClient, type BrokerClient, type ExternalBrokerLogin } from './broker/broker-client.ts';
import type { DeviceDirectory } from './directory/device-directory.ts';
import { startIngestWorkers } from './ingest-workers/ingest-worker-pool.ts';

/**
 * How long a downlink counts as under way after a team's broker acknowledged it: that PUBACK is
 * the broker's, not the device's (the embedded broker waits for the device's own), so the
 * discrete clock waits this much longer for the broker to pass it on and the device to act on it
 * (a confirm sent, a config applied) before simulated time goes on. Only registration and
 * configuration downlinks pay it, never a reading.
 */
export const EXTERNAL_DELIVERY_SETTLE_MS = 100;

const settleDelivery = (acked: boolean) => new Promise<boolean>((resolve) => setTimeout(() => resolve(acked), EXTERNAL_DELIVERY_SETTLE_MS));

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

/**
 * The backend on a team's broker: its own client connection for the downlinks and, unless ingest
 * workers take them (`use.workers`), the uplinks; whose uplink a message is it reads from the
 * topic (`TopicLayout.uplinkOf`).
 */
export async function connectExternalBroker(input: {
  use: ExternalBrokerUse;
  topics: TopicLayout;
  directory: Pick<DeviceDirectory, 'ingestDevices' | 'credentials' | 'onRegistered'>;
  /** A device's uplink, with a worker's signature verdict when one checked it. */
  route(deviceId: string, topic: string, payload: Buffer, done: () => void, verified?: boolean): void;
  /** An uplink whose topic names no device. */
  unknown(topic: string, payload: Buffer, done: () => void): void;
  logger: Logger;
  onStarted: (stop: () => Promise<void>) => void;
}): Promise<BackendBroker> {
  const { use, topics, directory, logger } = input;
  const uplink = (topic: string, payload: Buffer, done: () => void, verified?: boolean) => {
    const from = topics.uplinkOf(topic);
    if (from === undefined) input.unknown(topic, payload, done);
    else input.route(from.deviceId, topic, payload, done, verified);
  };
  const workers = use.workers === undefined ? undefined : await startWorkers(use.workers);
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

  // The workers check signatures against the keys the registry recorded, as the ingest does.
  async function startWorkers(spec: NonNullable<ExternalBrokerUse['workers']>) {
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
}
