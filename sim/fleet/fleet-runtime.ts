import type { Logger } from '../../core/ports.ts';
import { seededRandom, Tracker, type DeviceEventSink, type DeviceSpec, type MqttConnector } from '../../devices/index.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { FleetPlan } from './fleet-plan.ts';
import type { DeviceMeta } from '../../backend/epochs/close-epoch.ts';
import type { Clock } from '../../core/ports.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import type { IngestDevice } from '../../backend/ingest/ingest.ts';
import { payloadDigest } from '../../protocol/payload-digest.ts';
import type { LatencyTracker } from '../mqtt/latency-tracker.ts';
import { createMqttConnector } from '../mqtt/mqtt-connector.ts';
import type { IoSettle } from '../clock/io-settle.ts';
import { trackConnectorIo } from './track-io.ts';
import type { ChainSetup } from '../../backend/chain/chain-client.ts';
import { createFleetRegistry, type FleetRegistry } from './fleet-registry.ts';
import { powerOnFleet } from './power-on.ts';

export interface FleetRuntime {
  readonly size: number;
  readonly specs: readonly DeviceSpec[];
  /** device id → MQTT password, for the broker's authentication. */
  readonly credentials: ReadonlyMap<string, string>;
  /** Registered devices by id, as the ingest sees them (filled as registrations confirm). */
  readonly ingestDevices: ReadonlyMap<string, IngestDevice>;
  /** The backend's registration of this fleet (the confirm exchange registers through it). */
  readonly registry: FleetRegistry;
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

/** Online devices, their peak, publishes and devices per machine state, kept from tracker events. */
export class FleetCounters {
  published = 0;
  online = 0;
  peak = 0;
  /** Devices per machine state; every tracker starts in `off`. */
  readonly states: Map<string, number>;

  constructor(size: number) {
    this.states = new Map([['off', size]]);
  }

  stateChanged(from: string, to: string): void {
    if (to === 'online') this.online += 1;
    if (from === 'online') this.online -= 1;
    this.peak = Math.max(this.peak, this.online);
    this.states.set(from, (this.states.get(from) ?? 0) - 1);
    this.states.set(to, (this.states.get(to) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.states].filter(([, n]) => n > 0));
  }
}

/** One tracker per planned device, each with its own seeded random stream and the plan's behaviour. */
export function buildTrackers(input: {
  scenario: Scenario;
  plan: FleetPlan;
  clock: Clock;
  connector: MqttConnector;
  register: (spec: DeviceSpec) => Promise<void>;
  logger: Logger;
  events: DeviceEventSink;
}): Tracker[] {
  const { scenario, plan, clock, connector, register, logger, events } = input;
  return plan.devices.map(
    ({ spec, behaviour, group }) =>
      new Tracker(
        spec,
        {
          clock,
          random: seededRandom(scenario.seed, 'tracker', spec.index),
          ...(behaviour.behaviour ? { behaviour: behaviour.behaviour } : {}),
          ...(behaviour.motion ? { motion: behaviour.motion } : {}),
          ...(behaviour.sensors ? { sensors: behaviour.sensors } : {}),
          connector,
          registrar: { register },
          logger,
          events,
        },
        { registration: scenario.fleet[group]!.registration },
      ),
  );
}

/** Builds the scenario's fleet (group by group, indices continuing) and runs it in this process against the broker and chain. */
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
  const registry = createFleetRegistry({ plan, chain, store, logger });
  const counters = new FleetCounters(registry.specs.length);
  let brokerUrl = '';
  let stopping: Promise<void> | undefined;
  let cancelPowerOns = (): void => undefined;

  const connector = trackConnectorIo(createMqttConnector({ brokerUrl: () => brokerUrl, latency }), io);
  const trackers = buildTrackers({
    scenario,
    plan,
    clock,
    connector,
    register: (device) => io.track(registry.register(device).then(() => undefined)),
    logger,
    events: {
      published(deviceId, topic, bytes, timestampS) {
        counters.published += 1;
        plan.archive?.record({ deviceId, topic, payload: bytes, timestampS });
        registry.recordPublished(deviceId, payloadDigest(bytes), Date.now());
      },
      publishFailed(deviceId, reason) {
        logger.debug(`${deviceId}: publish failed: ${reason}`);
      },
      stateChanged(_deviceId, from, to) {
        counters.stateChanged(from, to);
      },
      registrationFailed(deviceId, reason) {
        logger.warn(`${deviceId}: registration failed: ${reason}`);
      },
    },
  });

  return {
    size: registry.specs.length,
    specs: registry.specs,
    credentials: registry.credentials,
    ingestDevices: registry.ingestDevices,
    registry,
    useBroker(url) {
      brokerUrl = url;
    },
    start() {
      cancelPowerOns = powerOnFleet(trackers, clock, scenario.ramp);
    },
    stop() {
      cancelPowerOns();
      stopping ??= Promise.all(trackers.map((t) => t.stop())).then(() => registry.drain());
      return stopping;
    },
    onlineCount: () => counters.online,
    peakOnline: () => counters.peak,
    publishedCount: () => counters.published,
    registeredCount: () => registry.registeredCount(),
    deviceMeta: () => registry.deviceMeta(),
    stateCount: (state) => counters.states.get(state) ?? 0,
    statesSnapshot: () => counters.snapshot(),
  };
}
