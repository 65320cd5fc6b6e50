import type { Logger } from '../../core/ports.ts';
import { buildFleet, createVerifier, seededRandom, Tracker, type DeviceSpec } from '../../devices/index.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { Clock } from '../../core/ports.ts';
import type { RunStore } from '../store/run-store.ts';
import type { IngestDevice } from '../ingest/ingest.ts';
import { payloadDigest } from '../ingest/ingest.ts';
import type { LatencyTracker } from '../broker/latency-tracker.ts';
import { createMqttConnector } from '../broker/mqtt-connector.ts';
import { BatchingRegistrar } from './batching-registrar.ts';
import type { IoSettle } from '../clock/io-settle.ts';
import { trackConnectorIo } from './track-io.ts';
import type { ChainSetup } from './chain-setup.ts';

export interface FleetRuntime {
  readonly size: number;
  readonly specs: readonly DeviceSpec[];
  /** device id → MQTT password, for the broker's authentication. */
  readonly credentials: ReadonlyMap<string, string>;
  /** Registered devices by id, as the ingest sees them (filled as registrations confirm). */
  readonly ingestDevices: ReadonlyMap<string, IngestDevice>;
  useBroker(url: string): void;
  start(): void;
  stop(): Promise<void>;
  onlineCount(): number;
  peakOnline(): number;
  publishedCount(): number;
  registeredCount(): number;
}

/** Builds the scenario's fleet (group by group, indices continuing) and runs it against the broker and chain. */
export function createFleetRuntime(input: {
  scenario: Scenario;
  clock: Clock;
  chain: ChainSetup;
  store: RunStore;
  latency: LatencyTracker;
  logger: Logger;
  io: IoSettle;
}): FleetRuntime {
  const { scenario, clock, chain, store, latency, logger, io } = input;
  const specs: DeviceSpec[] = [];
  for (const group of scenario.fleet) {
    specs.push(
      ...buildFleet({ seed: scenario.seed, count: group.count, uploadPeriodS: group.uploadPeriodS, motion: group.motion, firstIndex: specs.length }),
    );
  }
  const credentials = new Map(specs.map((s) => [s.id, s.password]));
  const ingestDevices = new Map<string, IngestDevice>();
  const registryIndex = new Map<string, number>();
  let brokerUrl = '';
  let published = 0;
  let online = 0;
  let peak = 0;
  let stopping: Promise<void> | undefined;

  const registrar = new BatchingRegistrar<DeviceSpec>(
    async (batch) => {
      const indices = await chain.register(batch.map((s) => ({ deviceId: s.id, publicKey: s.publicKey, owner: s.ownerAddress })));
      store.addDevices(
        batch.map((s, i) => ({ deviceIndex: indices[i]!, deviceId: s.id, name: s.name, motion: s.motion, owner: s.ownerAddress, publicKey: s.publicKey })),
      );
      batch.forEach((s, i) => {
        const verifier = createVerifier(s.publicKey, s.curve);
        registryIndex.set(s.id, indices[i]!);
        ingestDevices.set(s.id, { index: indices[i]!, verify: verifier.verify });
      });
      logger.debug(`registered ${batch.length} devices`);
      return indices;
    },
    { maxBatch: 200, lingerMs: 50 },
  );

  const connector = trackConnectorIo(createMqttConnector({ brokerUrl: () => brokerUrl, latency }), io);
  const trackers = specs.map(
    (spec) =>
      new Tracker(spec, {
        clock,
        random: seededRandom(scenario.seed, 'tracker', spec.index),
        connector,
        registrar: { register: (device) => io.track(registrar.register(device).then(() => undefined)) },
        logger,
        events: {
          published(deviceId, _topic, bytes) {
            published += 1;
            store.addPublished({ deviceIndex: registryIndex.get(deviceId) ?? 0, digest: payloadDigest(bytes), publishedMs: Date.now() });
          },
          publishFailed(deviceId, reason) {
            logger.debug(`${deviceId}: publish failed: ${reason}`);
          },
          stateChanged(_deviceId, from, to) {
            if (to === 'online') online += 1;
            if (from === 'online') online -= 1;
            peak = Math.max(peak, online);
          },
          registrationFailed(deviceId, reason) {
            logger.warn(`${deviceId}: registration failed: ${reason}`);
          },
        },
      }),
  );

  return {
    size: specs.length,
    specs,
    credentials,
    ingestDevices,
    useBroker(url) {
      brokerUrl = url;
    },
    start() {
      for (const tracker of trackers) tracker.start();
    },
    stop() {
      stopping ??= Promise.all(trackers.map((t) => t.stop())).then(() => registrar.drain());
      return stopping;
    },
    onlineCount: () => online,
    peakOnline: () => peak,
    publishedCount: () => published,
    registeredCount: () => registryIndex.size,
  };
}
