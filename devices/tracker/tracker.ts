import { interpret } from '@xstate/fsm';
import { PinbenchError } from '../../core/errors.ts';
import type { Random } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { createStreetGridMotion } from '../motion/street-grid.ts';
import { forkRandom, uniform } from '../random.ts';
import { createSensorModel } from '../sensors/sensors.ts';
import type { DeviceSpec } from '../spec.ts';
import { trackerActions } from './actions.ts';
import { chargeOf, createBatteryState, failBattery, msUntilCharge, settleBattery, type BatteryFailure, type BatteryState } from './battery.ts';
import { ReadingBuffer } from './buffer.ts';
import { createTrackerMachine, type TrackerState } from './machine.ts';
import { resolveTrackerOptions, type TrackerOptions } from './options.ts';
import { cutNetwork, cutPower, dropConnection, restorePower } from './interventions.ts';
import { AWAKE, cancelTimer, schedule, send, type TrackerDeps, type TrackerRuntime } from './runtime.ts';

/** One machine for all devices; each device only holds a service and its context. */
const machine = createTrackerMachine(trackerActions);

export function createTrackerRuntime(spec: DeviceSpec, deps: TrackerDeps, options: TrackerOptions = {}): TrackerRuntime {
  const resolved = resolveTrackerOptions(options);
  if (!(Number.isFinite(spec.uploadPeriodS) && spec.uploadPeriodS > 0)) {
    throw new PinbenchError('CONFIG_INVALID', `device ${spec.id}: uploadPeriodS must be a positive number of seconds, got ${spec.uploadPeriodS}`, {
      details: { deviceId: spec.id, uploadPeriodS: spec.uploadPeriodS },
    });
  }
  // Fork in a fixed order before any network draw: tracks and sensor values stay the same
  // whatever happens to the connection.
  const motionRandom = forkRandom(deps.random);
  const sensorRandom = forkRandom(deps.random);
  const uploadPhaseMs = Math.floor(deps.random.next() * spec.uploadPeriodS * 1000);
  const behaviourRandom = forkRandom(deps.random);
  const batteryRandom = forkRandom(deps.random);
  const startMs = deps.clock.nowMs();
  const motion =
    deps.motion ?? createStreetGridMotion({ area: spec.area, profile: spec.motion, start: spec.start, startMs, random: motionRandom });
  const sensors = deps.sensors ?? createSensorModel(sensorRandom, startMs);
  const { bulkUpload } = resolved;
  const ctx: TrackerRuntime = {
    registered: false,
    confirmMode: resolved.registration === 'confirm',
    spec,
    deps,
    options: resolved,
    source: { key: { curve: spec.curve, privateKey: spec.privateKey }, motion, sensors },
    dataTopic: resolved.topics.data(spec.id),
    uploadPhaseMs,
    logger: deps.logger ?? silentLogger,
    behaviour: deps.behaviour ?? {},
    behaviourRandom,
    config: {
      uploadPeriodS: spec.uploadPeriodS,
      dataChannel: resolved.dataChannel,
      bulkUpload: bulkUpload.enabled,
      burstSize: bulkUpload.burstSize,
      pauseMs: bulkUpload.pauseMs,
    },
    buffer: new ReadingBuffer(resolved.bufferCapacity),
    battery: createBattery(spec, resolved, batteryRandom, startMs),
    service: interpret(machine),
    timer: undefined,
    sampleTimer: undefined,
    bulkTimer: undefined,
    faultTimer: undefined,
    draining: false,
    link: undefined,
    attempt: 0,
    attemptToken: 0,
    outageUntilMs: -Infinity,
    poweredOffByHand: false,
    firmwareVersion: resolved.firmwareVersion,
    offer: undefined,
    stopped: undefined,
  };
  ctx.service.start({ value: 'off', context: ctx });
  return ctx;
}

function createBattery(spec: DeviceSpec, options: ReturnType<typeof resolveTrackerOptions>, random: Random, nowMs: number): BatteryState | undefined {
  if (options.battery === false) return undefined;
  const capacityMah = spec.battery?.capacityMah ?? options.battery.capacityMah;
  const initial = spec.battery?.initialCharge ?? options.battery.initialCharge;
  const charge = typeof initial === 'number' ? initial : uniform(random, initial[0], initial[1]);
  const ok = (v: number): boolean => Number.isFinite(v) && v > 0;
  if (!ok(capacityMah) || !(ok(charge) && charge <= 1)) {
    throw new PinbenchError('CONFIG_INVALID', `device ${spec.id}: battery needs capacityMah > 0 and initialCharge in (0, 1], got ${JSON.stringify({ capacityMah, initialCharge: charge })}`, {
      details: { deviceId: spec.id, capacityMah, initialCharge: charge },
    });
  }
  return createBatteryState({ ...options.battery, capacityMah }, charge, nowMs);
}

export function startTracker(ctx: TrackerRuntime): void {
  const state = ctx.service.state.value;
  if (state !== 'off') {
    throw new PinbenchError('TRACKER_ALREADY_STARTED', `device ${ctx.spec.id}: start() needs a tracker that is off, it is ${state}; create a new Tracker to run the device again`, {
      details: { deviceId: ctx.spec.id, state },
    });
  }
  send(ctx, 'power.on');
  const failure = ctx.behaviour.batteryFailure;
  if (failure !== undefined && ctx.battery !== undefined) {
    ctx.faultTimer = ctx.deps.clock.schedule(Math.max(0, failure.atMs - ctx.deps.clock.nowMs()), () => {
      ctx.faultTimer = undefined;
      batteryFails(ctx, failure);
    });
  }
}

/**
 * The cell fails: charge and leak change at once (battery.ts `failBattery`). An awake device at
 * or below the low mark goes to sleep (or dies, when empty) now; a sleeping one dies sooner.
 */
function batteryFails(ctx: TrackerRuntime, failure: BatteryFailure): void {
  const battery = ctx.battery!;
  const state = ctx.service.state.value;
  settleBattery(battery, state, ctx.deps.clock.nowMs());
  failBattery(battery, failure);
  if (state === 'sleeping') {
    cancelTimer(ctx);
    const ms = msUntilCharge(battery, 'sleeping', 0);
    if (Number.isFinite(ms)) schedule(ctx, ms, 'battery.empty');
  } else if (AWAKE.has(state) && chargeOf(battery) <= battery.options.lowCharge) {
    // `send` turns this into battery.empty when nothing is left.
    send(ctx, 'battery.low');
  }
}

/** Powers the device off: timers cancelled, link closed. Resolves when the link has closed; idempotent. */
export function stopTracker(ctx: TrackerRuntime): Promise<void> {
  if (ctx.service.state.value !== 'stopped') send(ctx, 'power.off');
  return ctx.stopped ?? Promise.resolve();
}

/** A virtual Pebble tracker driven by the injected clock. */
export class Tracker {
  private readonly ctx: TrackerRuntime;

  constructor(spec: DeviceSpec, deps: TrackerDeps, options: TrackerOptions = {}) {
    this.ctx = createTrackerRuntime(spec, deps, options);
  }

  get id(): string {
    return this.ctx.spec.id;
  }

  get state(): TrackerState {
    return this.ctx.service.state.value;
  }

  /** The firmware version running now (changes after an update). */
  get firmwareVersion(): string {
    return this.ctx.firmwareVersion;
  }

  /** State of charge in [0, 1] as of the last event; undefined without a battery model. */
  get batteryCharge(): number | undefined {
    return this.ctx.battery === undefined ? undefined : chargeOf(this.ctx.battery);
  }

  /** Readings held in the offline buffer. */
  get bufferedReadings(): number {
    return this.ctx.buffer.size;
  }

  start(): void {
    startTracker(this.ctx);
  }

  stop(): Promise<void> {
    return stopTracker(this.ctx);
  }

  /** Drops its connection if it has one; it reconnects with its own backoff. True when it had one. */
  dropConnection(): boolean {
    return dropConnection(this.ctx);
  }

  /** No network until simulated `untilMs`: link cut, connects fail, readings buffered. True when it had a connection to lose. */
  cutNetwork(untilMs: number): boolean {
    return cutNetwork(this.ctx, untilMs);
  }

  /** Switched off (a scenario's devices.powerOff); true when it was awake and is now off. */
  cutPower(): boolean {
    return cutPower(this.ctx);
  }

  /** Boots again after `cutPower`; true when it was off. */
  restorePower(): boolean {
    return restorePower(this.ctx);
  }
}
