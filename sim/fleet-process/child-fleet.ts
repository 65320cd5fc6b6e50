import type { Logger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import type { DeviceSpec } from '../../devices/index.ts';
import { DiscreteClock } from '../clock/discrete.ts';
import { IoSettle, SLICE_IO_WAIT, warnOfGiveUps } from '../clock/io-settle.ts';
import { limitHeapGrowthFor } from '../perf/heap-growth.ts';
import { RealtimeClock } from '../clock/realtime.ts';
import { LatencyTracker } from '../mqtt/latency-tracker.ts';
import { createMqttConnector } from '../mqtt/mqtt-connector.ts';
import type { BrokerTarget } from '../mqtt/broker-target.ts';
import { payloadDigest } from '../../protocol/payload-digest.ts';
import { checkCapacity } from '../perf/capacity.ts';
import { planFleet } from '../fleet/fleet-plan.ts';
import { buildTrackers, FleetCounters } from '../fleet/fleet-runtime.ts';
import { powerOnFleet } from '../fleet/power-on.ts';
import { scheduleInterventions, type DeviceIntervention } from '../fleet/device-interventions.ts';
import { trackConnectorIo } from '../fleet/track-io.ts';
import { Outbox } from './outbox.ts';
import { PublishGate } from './publish-gate.ts';
import type { ChildMessage, NextTimer, ParentMessage } from './ipc-messages.ts';

export interface ChildTransport {
  /** `sent` is called once the message has left (the process may exit then). */
  send(message: ChildMessage, sent?: () => void): void;
  onMessage(handler: (message: ParentMessage) => void): void;
}

type InitMessage = Extract<ParentMessage, { type: 'init' }>;
type Reply = Extract<ParentMessage, { type: 'time-ok' | 'settled' }>;

const HEARTBEAT_MS = 250;

/**
 * The fleet process: rebuilds the plan from the same scenario (identical specs and keys),
 * runs the trackers and their MQTT connections, and reports to the run in batches. In
 * accelerated time it owns the devices' discrete clock and, after each slice, waits until the
 * run says the slice's I/O has settled on its side too.
 */
export function runFleetChild(transport: ChildTransport, exit: (code: number) => void): void {
  let fleet: ReturnType<typeof createChildFleet> | undefined;
  const fail = (error: unknown) => {
    const e = error as Error & { code?: unknown };
    transport.send({ type: 'failed', message: e.message, code: typeof e.code === 'string' ? e.code : undefined }, () => exit(1));
  };
  transport.onMessage((message) => {
    try {
      if (message.type === 'init') {
        fleet = createChildFleet(message, transport, fail, exit);
        transport.send({ type: 'ready', size: fleet.size });
        return;
      }
      if (fleet === undefined) throw new PinbenchError('FLEET_PROCESS_FAILED', `fleet process: "${message.type}" before "init"`);
      fleet.handle(message);
    } catch (error) {
      fail(error);
    }
  });
}

function createChildFleet(init: InitMessage, transport: ChildTransport, fail: (error: unknown) => void, exit: (code: number) => void) {
  const { scenario, mode } = init;
  const wallNowMs = () => performance.timeOrigin + performance.now();
  const plan = planFleet(scenario, { scenarioDir: init.scenarioDir, startMs: init.startMs });
  // This process holds one end of each connection.
  checkCapacity({ connections: plan.devices.length, bothEnds: false });
  limitHeapGrowthFor(plan.devices.length);
  // Connect times go to the run with the next batch, as publishes do.
  const connectMs: number[] = [];
  const counters = new FleetCounters(plan.devices.length, (ms) => void connectMs.push(ms));
  const io = new IoSettle({ ...SLICE_IO_WAIT, wallNowMs });
  let sent = 0;
  const outbox = new Outbox({
    send: (batch) => transport.send(batch),
    snapshot: () => ({
      counters: { published: counters.published, sent, online: counters.online, peak: counters.peak, states: [...counters.states], connects: counters.connects, refused: [...counters.refused], incidents: { ...counters.incidents } },
      memory: { rssBytes: process.memoryUsage.rss(), maxRssBytes: process.resourceUsage().maxRSS * 1024 },
      connectMs: connectMs.splice(0),
    }),
    maxItems: init.maxBatch,
    heartbeatMs: HEARTBEAT_MS,
    wallNowMs,
  });
  const ticker = setInterval(() => outbox.tick(), init.flushMs);
  const logger: Logger = {
    info: (m) => outbox.log('info', m),
    warn: (m) => outbox.log('warn', m),
    debug: (m) => outbox.log('debug', m),
  };
  warnOfGiveUps(io, logger, 'the I/O of a slice in the fleet process');

  const waiting = new Map<string, Array<{ resolve: () => void; reject: (error: Error) => void }>>();
  const register = (spec: DeviceSpec) =>
    new Promise<void>((resolve, reject) => {
      const queue = waiting.get(spec.id) ?? [];
      queue.push({ resolve, reject });
      waiting.set(spec.id, queue);
      outbox.register(spec.id);
    });

  let replyTo: { type: Reply['type']; resolve: (reply: Reply) => void } | undefined;
  const ask = (message: ChildMessage, answer: Reply['type']) =>
    new Promise<Reply>((resolve) => {
      replyTo = { type: answer, resolve };
      transport.send(message);
    });

  // The run's own timers (epoch closes) are slice boundaries in-process; a no-op timer at the
  // run's next one keeps the slices, and so the order of I/O and timers, the same here.
  const boundaries = new Set<number>();
  const keepBoundary = (next: NextTimer) => {
    if (discrete === undefined || next === undefined || next.atMs <= discrete.nowMs() || boundaries.has(next.atMs)) return;
    boundaries.add(next.atMs);
    const delete_ = () => boundaries.delete(next.atMs);
    if (next.barrier) discrete.scheduleBarrier(next.atMs - discrete.nowMs(), delete_);
    else discrete.schedule(next.atMs - discrete.nowMs(), delete_);
  };

  const gate = new PublishGate(mode === 'realtime');
  // The run's answer that the previous slice settled on its side (its ingest done). The next
  // slice's timers (signing, most of this process's work) run while the run still verifies the
  // previous slice's readings; its publishes stay held, and the run hears the new time only
  // after that answer. Nothing this process does depends on the run's side of a slice: its own
  // I/O (acknowledgements, registrations) has settled before the next timers run, and the run's
  // timers (epoch closes) are all scheduled before the start, so the boundary kept from `time-ok`
  // is the one `settled` would give.
  let runSettled: Promise<Reply> | undefined;
  const awaitRunSettled = async () => {
    const pending = runSettled;
    runSettled = undefined;
    if (pending !== undefined) keepBoundary((await pending).nextTimer);
  };
  const settle = async () => {
    // Requests the slice started in promise callbacks (registrations) go out with this batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await awaitRunSettled();
    outbox.flush();
    keepBoundary((await ask({ type: 'time', nowMs: clock.nowMs() }, 'time-ok')).nextTimer);
    gate.release();
    await io.settled();
    outbox.flush();
    runSettled = ask({ type: 'slice', nowMs: clock.nowMs(), sent }, 'settled');
    // Except for a device registering by the confirm exchange: the run's side is its I/O (the
    // owner proposal, its confirm, the final status), so the slice waits for it, publishes open.
    if ((counters.states.get('registering') ?? 0) > 0) await awaitRunSettled();
    gate.close();
  };
  const discrete =
    mode === 'accelerated'
      ? new DiscreteClock({
          startMs: init.startMs,
          sliceMs: scenario.time.sliceMs,
          speed: scenario.time.speed === 'max' ? Infinity : scenario.time.speed,
          settle,
          wallNowMs,
        })
      : undefined;
  const clock = discrete ?? new RealtimeClock(wallNowMs);

  let target: BrokerTarget = { url: '' };
  const latency = new LatencyTracker(wallNowMs);
  const connector = trackConnectorIo(gate.wrap(createMqttConnector({ target: () => target, latency, outcomes: counters.outcomes })), {
    track: (operation) => io.track(operation),
    publishSent: () => {
      sent += 1;
    },
  });
  const trackers = buildTrackers({
    scenario,
    plan,
    clock,
    connector,
    register: (device) => io.track(register(device), { chain: true }),
    logger,
    events: {
      published(deviceId, topic, bytes, timestampS) {
        counters.published += 1;
        plan.archive?.record({ deviceId, topic, payload: bytes, timestampS });
        outbox.published(deviceId, payloadDigest(bytes), latency.take(deviceId, bytes) ?? -1, wallNowMs(), timestampS);
      },
      publishFailed: (deviceId, reason) => {
        counters.incidents.publishFailed += 1;
        outbox.publishFailed(deviceId, reason);
      },
      bufferDropped: (_deviceId, count) => {
        counters.incidents.bufferDropped += count;
      },
      stateChanged: (_deviceId, from, to) => counters.stateChanged(from, to),
      registrationFailed: (deviceId, reason) => outbox.registrationFailed(deviceId, reason),
    },
  });

  let startPending = false;
  let cancelPowerOns = (): void => undefined;
  let interventions: DeviceIntervention[] = [];
  let cancelInterventions = (): void => undefined;
  const startTrackers = () => {
    startPending = false;
    cancelPowerOns = powerOnFleet(trackers, clock, scenario.ramp);
    // On this process's clock, as in-process on the run's: the same event at the same simulated time.
    cancelInterventions = scheduleInterventions(trackers, clock, interventions, (id, affected) => transport.send({ type: 'intervened', id, affected }));
  };

  const stop = async () => {
    cancelPowerOns();
    cancelInterventions();
    gate.release();
    await Promise.all(trackers.map((t) => t.stop()));
    await io.settled();
    discrete?.stop();
    if (discrete) discrete.cancelAll();
    else (clock as RealtimeClock).cancelAll();
    clearInterval(ticker);
    outbox.flush();
    transport.send({ type: 'stopped' }, () => exit(0));
  };

  return {
    size: plan.devices.length,
    handle(message: ParentMessage): void {
      switch (message.type) {
        case 'broker':
          target = message.target;
          return;
        case 'interventions':
          interventions = message.list;
          return;
        case 'start':
          // In accelerated time the first slice must run in the same tick as the start, before
          // the trackers' first promises settle, as it does in-process: wait for `advance`.
          if (discrete === undefined) startTrackers();
          else startPending = true;
          return;
        case 'advance':
          if (discrete === undefined) throw new PinbenchError('FLEET_PROCESS_FAILED', 'fleet process: "advance" in realtime');
          if (startPending) startTrackers();
          keepBoundary(message.nextTimer);
          discrete
            .runUntil(message.endMs)
            .then(awaitRunSettled)
            .then(() => transport.send({ type: 'advanced', nowMs: discrete.nowMs() }), fail);
          return;
        case 'time-ok':
        case 'settled': {
          const pending = replyTo;
          if (pending?.type !== message.type) throw new PinbenchError('FLEET_PROCESS_FAILED', `fleet process: unexpected "${message.type}"`);
          replyTo = undefined;
          pending.resolve(message);
          return;
        }
        case 'registered':
          for (const [deviceId, index, reason] of message.results) {
            const waiter = waiting.get(deviceId)?.shift();
            if (waiting.get(deviceId)?.length === 0) waiting.delete(deviceId);
            if (waiter === undefined) continue;
            if (index >= 0) waiter.resolve();
            else waiter.reject(new Error(reason ?? 'registration refused'));
          }
          return;
        case 'stop':
          stop().catch(fail);
          return;
        case 'init':
          throw new PinbenchError('FLEET_PROCESS_FAILED', 'fleet process: "init" twice');
      }
    },
  };
}
