import type { Logger } from '../../core/ports.ts';
import { createVerifier, seededRandom, Tracker, type DeviceSpec } from '../../devices/index.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { FleetPlan } from './fleet-plan.ts';
import type { DeviceMeta } from '../epochs/close-epoch.ts';
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
  /** How many devices are in each machine state right now. */
  statesSnapshot(): Record<string, number>;
  stateCount(state: string): number;
  /** Registered devices by MQTT client id, as the epoch summary needs them. */
  deviceMeta(): ReadonlyMap<string, DeviceMeta>;
}

const PROFILES_SQL = `CREATE TABLE IF NOT EXISTS device_profiles (
  device_index INTEGER PRIMARY KEY,
  profile TEXT NOT NULL,          -- report label: motion, then adversary or faults
  adversary TEXT,                 -- adversary profile name, NULL for honest devices
  upload_period_s REAL NOT NULL
)`;

/** Builds the scenario's fleet (group by group, indices continuing) and runs it against the broker and chain. */
export function createFleetRuntime(input: {
  scenario: Scenario;
  clock: Clock;
  chain: ChainSetup;
  store: RunStore;
  latency: LatencyTracker;
  logger: Logger;
  io: IoSettle;
  plan: FleetPlan;
}): FleetRuntime {
  const { scenario, clock, chain, store, latency, logger, io, plan } = input;
  const specs: DeviceSpec[] = plan.devices.map((d) => d.spec);
  const plannedById = new Map(plan.devices.map((d) => [d.spec.id, d]));
  store.db.exec(PROFILES_SQL);
  const insertProfile = store.db.prepare('INSERT INTO device_profiles (device_index, profile, adversary, upload_period_s) VALUES (?, ?, ?, ?)');
  const keyUses = new Map<string, number>();
  const meta = new Map<string, DeviceMeta>();
  const credentials = new Map(specs.map((s) => [s.id, s.password]));
  const ingestDevices = new Map<string, IngestDevice>();
  const registryIndex = new Map<string, number>();
  let brokerUrl = '';
  let published = 0;
  let online = 0;
  let peak = 0;
  let stopping: Promise<void> | undefined;
  /** Devices per machine state; every tracker starts in `off`. */
  const stateCounts = new Map<string, number>([['off', specs.length]]);

  const registrar = new BatchingRegistrar<DeviceSpec>(
    async (batch) => {
      const indices = await chain.register(batch.map((s) => ({ deviceId: s.id, publicKey: s.publicKey, owner: s.ownerAddress })));
      store.addDevices(
        batch.map((s, i) => ({ deviceIndex: indices[i]!, deviceId: s.id, name: s.name, motion: s.motion, owner: s.ownerAddress, publicKey: s.publicKey })),
      );
      batch.forEach((s, i) => {
        const verifier = createVerifier(s.publicKey, s.curve);
        const planned = plannedById.get(s.id)!;
        registryIndex.set(s.id, indices[i]!);
        ingestDevices.set(s.id, { index: indices[i]!, verify: verifier.verify, publicKey: s.publicKey, curve: s.curve });
        insertProfile.run(indices[i]!, planned.profile, planned.adversary ?? null, s.uploadPeriodS);
        const key = Buffer.from(s.publicKey).toString('hex');
        keyUses.set(key, (keyUses.get(key) ?? 0) + 1);
        meta.set(s.id, { deviceIndex: indices[i]!, uploadPeriodS: s.uploadPeriodS, keyShares: 0 });
      });
      logger.debug(`registered ${batch.length} devices`);
      return indices;
    },
    { maxBatch: 200, lingerMs: 50 },
  );

  const connector = trackConnectorIo(createMqttConnector({ brokerUrl: () => brokerUrl, latency }), io);
  const trackers = plan.devices.map(
    ({ spec, behaviour }) =>
      new Tracker(spec, {
        clock,
        random: seededRandom(scenario.seed, 'tracker', spec.index),
        ...(behaviour.behaviour ? { behaviour: behaviour.behaviour } : {}),
        ...(behaviour.motion ? { motion: behaviour.motion } : {}),
        ...(behaviour.sensors ? { sensors: behaviour.sensors } : {}),
        connector,
        registrar: { register: (device) => io.track(registrar.register(device).then(() => undefined)) },
        logger,
        events: {
          published(deviceId, topic, bytes, timestampS) {
            published += 1;
            plan.archive?.record({ deviceId, topic, payload: bytes, timestampS });
            store.addPublished({ deviceIndex: registryIndex.get(deviceId) ?? 0, digest: payloadDigest(bytes), publishedMs: Date.now() });
          },
          publishFailed(deviceId, reason) {
            logger.debug(`${deviceId}: publish failed: ${reason}`);
          },
          stateChanged(_deviceId, from, to) {
            if (to === 'online') online += 1;
            if (from === 'online') online -= 1;
            peak = Math.max(peak, online);
            stateCounts.set(from, (stateCounts.get(from) ?? 0) - 1);
            stateCounts.set(to, (stateCounts.get(to) ?? 0) + 1);
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
    deviceMeta() {
      for (const [id, m] of meta) {
        const spec = plannedById.get(id)!.spec;
        m.keyShares = keyUses.get(Buffer.from(spec.publicKey).toString('hex')) ?? 1;
      }
      return meta;
    },
    stateCount: (state) => stateCounts.get(state) ?? 0,
    statesSnapshot: () => Object.fromEntries([...stateCounts].filter(([, n]) => n > 0)),
  };
}
