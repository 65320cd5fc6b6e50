import type { Logger } from '../../core/ports.ts';
import { topicLayout } from '../../protocol/topics.ts';
import { seededRandom, Tracker, type DeviceEventSink, type DeviceSpec, type MqttConnector } from '../../devices/index.ts';
import type { FleetGroup, Scenario } from '../../scenarios/index.ts';
import type { FleetPlan } from './fleet-plan.ts';
import type { Clock } from '../../core/ports.ts';
import { payloadDigest } from '../../protocol/payload-digest.ts';
import { LatencyTracker } from '../mqtt/latency-tracker.ts';
import type { PublishLatency } from '../mqtt/publish-latency.ts';
import { createMqttConnector } from '../mqtt/mqtt-connector.ts';
import type { BrokerTarget } from '../mqtt/broker-target.ts';
import type { IoSettle } from '../clock/io-settle.ts';
import { trackConnectorIo } from './track-io.ts';
import type { FleetEnrolment } from './fleet-enrolment.ts';
import { powerOnFleet } from './power-on.ts';
import { scheduleInterventions, type DeviceIntervention } from './device-interventions.ts';

export interface FleetRuntime {
  readonly size: number;
  readonly specs: readonly DeviceSpec[];
  useBroker(target: BrokerTarget): void;
  start(): void;
  stop(): Promise<void>;
  onlineCount(): number;
  peakOnline(): number;
  publishedCount(): number;
  registeredCount(): number;
  /** How many devices are in each machine state right now. */
  statesSnapshot(): Record<string, number>;
  stateCount(state: string): number;
  /** Connections made (reconnects included) and refused, by reason, as the devices saw them. */
  connections(): { connects: number; refused: Record<string, number> };
  /** What went wrong on the devices' side: publishes failed, readings their buffers dropped, connections lost while online. */
  incidents(): FleetIncidents;
  /** The backend accepted this reading at wall time `acceptedMs` (BackendEvents): paired with its send time for latency. */
  readingAccepted(clientId: string, digest: Uint8Array, payload: Uint8Array, acceptedMs: number): void;
  /** The timeline's device events, scheduled where the trackers run; before `start`. Absent where they cannot be (a run with replay entries). */
  intervene?(list: readonly DeviceIntervention[]): void;
  /** How many devices each intervention (by id) changed, once it ran. */
  interventionOutcomes?(): ReadonlyMap<number, number>;
}

/** What differs between a fleet in this process and one in a fleet process of its own. */
export interface FleetDriver {
  useBroker(target: BrokerTarget): void;
  start(): void;
  stop(): Promise<void>;
  counters(): {
    readonly online: number;
    readonly peak: number;
    readonly published: number;
    readonly states: ReadonlyMap<string, number>;
    readonly connects: number;
    readonly refused: ReadonlyMap<string, number>;
    readonly incidents: FleetIncidents;
  };
  readingAccepted(clientId: string, digest: Uint8Array, payload: Uint8Array, acceptedMs: number): void;
  /** Schedules the interventions with the trackers; `done` hears each one's outcome. */
  intervene(list: readonly DeviceIntervention[], done: (id: number, affected: number) => void): void;
}

/** The one way a fleet runtime is made, wherever the trackers run. */
export function fleetRuntime(enrolment: FleetEnrolment, driver: FleetDriver): FleetRuntime {
  const outcomes = new Map<number, number>();
  return {
    intervene: (list) => driver.intervene(list, (id, affected) => void outcomes.set(id, affected)),
    interventionOutcomes: () => outcomes,
    size: enrolment.specs.length,
    specs: enrolment.specs,
    useBroker: (target) => driver.useBroker(target),
    start: () => driver.start(),
    stop: () => driver.stop(),
    onlineCount: () => driver.counters().online,
    peakOnline: () => driver.counters().peak,
    publishedCount: () => driver.counters().published,
    registeredCount: () => enrolment.registeredCount(),
    statesSnapshot: () => Object.fromEntries([...driver.counters().states].filter(([, n]) => n > 0)),
    stateCount: (state) => driver.counters().states.get(state) ?? 0,
    incidents: () => ({ ...driver.counters().incidents }),
    connections: () => {
      const { connects, refused } = driver.counters();
      return { connects, refused: Object.fromEntries(refused) };
    },
    readingAccepted: (clientId, digest, payload, acceptedMs) => driver.readingAccepted(clientId, digest, payload, acceptedMs),
  };
}

export interface FleetIncidents {
  publishFailed: number;
  bufferDropped: number;
  connectionsLost: number;
}

/** Online devices, their peak, publishes, devices per machine state and connection outcomes, kept from tracker and connector events. */
export class FleetCounters {
  published = 0;
  online = 0;
  peak = 0;
  connects = 0;
  readonly incidents: FleetIncidents = { publishFailed: 0, bufferDropped: 0, connectionsLost: 0 };
  /** Refused connections by reason (`connack.not-authorized`, `unreachable`, …). */
  readonly refused = new Map<string, number>();
  /** What the MQTT connector reports to (ConnectOutcomes). */
  readonly outcomes = {
    connected: (handshakeMs: number) => {
      this.connects += 1;
      this.connectTimed(handshakeMs);
    },
    failed: (reason: string) => {
      this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
    },
  };
  /** Devices per machine state; every tracker starts in `off`. */
  readonly states: Map<string, number>;

  /** `connectTimed`: where each connect's handshake time (wall ms, socket open → CONNACK) goes. */
  constructor(size: number, private readonly connectTimed: (handshakeMs: number) => void = () => undefined) {
    this.states = new Map([['off', size]]);
  }

  stateChanged(from: string, to: string): void {
    // Online and then offline without being switched off, put to sleep or updated: the link was lost.
    if (from === 'online' && (to === 'backoff' || to === 'buffering' || to === 'connecting')) this.incidents.connectionsLost += 1;
    if (to === 'online') this.online += 1;
    if (from === 'online') this.online -= 1;
    this.peak = Math.max(this.peak, this.online);
    this.states.set(from, (this.states.get(from) ?? 0) - 1);
    this.states.set(to, (this.states.get(to) ?? 0) + 1);
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
  const topics = topicLayout(scenario.topics);
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
        { registration: (scenario.fleet[group] as FleetGroup).registration, topics, codec: scenario.codec },
      ),
  );
}

/** Builds the scenario's fleet (group by group, indices continuing) and runs it in this process against the broker and chain. */
export function createFleetRuntime(input: {
  scenario: Scenario;
  clock: Clock;
  enrolment: FleetEnrolment;
  /** Where publish → accept latencies go. */
  publishLatency: PublishLatency;
  /** Where publish → PUBACK latencies go. */
  ackLatency?: PublishLatency;
  /** Where connect → CONNACK times go. */
  connectLatency?: PublishLatency;
  logger: Logger;
  io: IoSettle;
  plan: FleetPlan;
  wallNowMs: () => number;
}): FleetRuntime {
  const { scenario, clock, enrolment, logger, io, plan } = input;
  const counters = new FleetCounters(enrolment.specs.length, (ms) => input.connectLatency?.record(ms));
  const sent = new LatencyTracker(input.wallNowMs);
  let target: BrokerTarget = { url: '' };
  let stopping: Promise<void> | undefined;
  let cancelPowerOns = (): void => undefined;
  let cancelInterventions = (): void => undefined;

  const connector = trackConnectorIo(createMqttConnector({
        target: () => target, latency: sent, outcomes: counters.outcomes, wallNowMs: input.wallNowMs,
        ...(input.ackLatency === undefined ? {} : { acked: (ms: number) => input.ackLatency!.record(ms) }),
      }), io);
  const trackers = buildTrackers({
    scenario,
    plan,
    clock,
    connector,
    register: (device) => io.track(enrolment.register(device.id).then(() => undefined), { chain: true }),
    logger,
    events: {
      published(deviceId, topic, bytes, timestampS) {
        counters.published += 1;
        plan.archive?.record({ deviceId, topic, payload: bytes, timestampS });
        // The send time is still there unless a backend accepted the reading first; only --observe
        // (which runs without one) reads it, so a full run does not look it up per publish.
        const reading = enrolment.wantsReadings ? { timestampS, sentMs: sent.peek(deviceId, bytes) ?? -1 } : undefined;
        enrolment.recordPublished(deviceId, payloadDigest(bytes), Date.now(), reading);
      },
      bufferDropped(_deviceId, count) {
        counters.incidents.bufferDropped += count;
      },
      publishFailed(deviceId, reason) {
        counters.incidents.publishFailed += 1;
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

  return fleetRuntime(enrolment, {
    useBroker(to) {
      target = to;
    },
    start() {
      cancelPowerOns = powerOnFleet(trackers, clock, scenario.ramp);
    },
    intervene(list, done) {
      cancelInterventions = scheduleInterventions(trackers, clock, list, done);
    },
    stop() {
      cancelPowerOns();
      cancelInterventions();
      stopping ??= Promise.all(trackers.map((t) => t.stop())).then(() => enrolment.drain());
      return stopping;
    },
    counters: () => counters,
    readingAccepted(clientId, _digest, payload, acceptedMs) {
      const sentMs = sent.take(clientId, payload);
      if (sentMs !== undefined) input.publishLatency.record(acceptedMs - sentMs);
    },
  });
}
