import { interpret } from '@xstate/fsm';
import { PinbenchError } from '../../core/errors.ts';
import { silentLogger } from '../../core/ports.ts';
import { createStreetGridMotion } from '../motion/street-grid.ts';
import { forkRandom } from '../random.ts';
import { createSensorModel } from '../sensors/sensors.ts';
import type { DeviceSpec } from '../spec.ts';
import { trackerActions } from './actions.ts';
import { createTrackerMachine, type TrackerState } from './machine.ts';
import { resolveTrackerOptions, type TrackerOptions } from './options.ts';
import { send, type TrackerDeps, type TrackerRuntime } from './runtime.ts';

/** One machine for all devices; each device only holds a service and its context. */
const machine = createTrackerMachine(trackerActions);

export function createTrackerRuntime(spec: DeviceSpec, deps: TrackerDeps, options: TrackerOptions = {}): TrackerRuntime {
  const resolved = resolveTrackerOptions(options);
  if (!(Number.isFinite(spec.uploadPeriodS) && spec.uploadPeriodS > 0)) {
    throw new PinbenchError('E_CONFIG', `device ${spec.id}: uploadPeriodS must be a positive number of seconds, got ${spec.uploadPeriodS}`, {
      details: { deviceId: spec.id, uploadPeriodS: spec.uploadPeriodS },
    });
  }
  // Fork in a fixed order before any network draw: tracks and sensor values stay the same
  // whatever happens to the connection.
  const motionRandom = forkRandom(deps.random);
  const sensorRandom = forkRandom(deps.random);
  const uploadPhaseMs = Math.floor(deps.random.next() * spec.uploadPeriodS * 1000);
  const startMs = deps.clock.nowMs();
  const motion =
    deps.motion ?? createStreetGridMotion({ area: spec.area, profile: spec.motion, start: spec.start, startMs, random: motionRandom });
  const sensors = deps.sensors ?? createSensorModel(sensorRandom, startMs);
  const ctx: TrackerRuntime = {
    registered: false,
    spec,
    deps,
    options: resolved,
    source: { key: { curve: spec.curve, privateKey: spec.privateKey }, motion, sensors },
    dataTopic: `device/${spec.id}/data`,
    uploadPhaseMs,
    logger: deps.logger ?? silentLogger,
    service: interpret(machine),
    timer: undefined,
    link: undefined,
    attempt: 0,
    attemptToken: 0,
    stopped: undefined,
  };
  ctx.service.start({ value: 'off', context: ctx });
  return ctx;
}

export function startTracker(ctx: TrackerRuntime): void {
  const state = ctx.service.state.value;
  if (state !== 'off') {
    throw new PinbenchError('E_TRACKER_STATE', `device ${ctx.spec.id}: start() needs a tracker that is off, it is ${state}; create a new Tracker to run the device again`, {
      details: { deviceId: ctx.spec.id, state },
    });
  }
  send(ctx, 'power.on');
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

  start(): void {
    startTracker(this.ctx);
  }

  stop(): Promise<void> {
    return stopTracker(this.ctx);
  }
}
