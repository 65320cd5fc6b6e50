import type { StateMachine } from '@xstate/fsm';
import type { Clock, Logger, Random, TimerHandle } from '../../core/ports.ts';
import type { MotionModel } from '../motion/model.ts';
import type { SensorModel } from '../sensors/sensors.ts';
import type { DeviceSpec } from '../spec.ts';
import { chargeOf, settleBattery, type BatteryState } from './battery.ts';
import type { ReadingBuffer } from './buffer.ts';
import type { TrackerEvent, TrackerEventType, TrackerMachineContext, TrackerState } from './machine.ts';
import type { ResolvedTrackerOptions } from './options.ts';
import type { DeviceEventSink, MqttConnector, MqttLink, Registrar, TrackerBehaviour } from './ports.ts';
import type { Reading, ReadingSource } from './reading.ts';

/** What sim passes in. */
export interface TrackerDeps {
  readonly clock: Clock;
  /** This device's random source (network jitter; motion and sensors fork their own streams from it). */
  readonly random: Random;
  readonly connector: MqttConnector;
  readonly registrar: Registrar;
  readonly events: DeviceEventSink;
  readonly logger?: Logger;
  /** Replace the default street-grid motion (e.g. a recorded route, a spoofer). */
  readonly motion?: MotionModel;
  /** Replace the default sensor model (e.g. a faulty sensor). */
  readonly sensors?: SensorModel;
  /** Faults and adversaries: what the device publishes, how often, its clock, its outages. Default: honest. */
  readonly behaviour?: TrackerBehaviour;
}

/** The device's live settings: the options' defaults, changed at runtime by `backend/<id>/config`. */
export interface LiveConfig {
  uploadPeriodS: number;
  dataChannel: number;
  bulkUpload: boolean;
  burstSize: number;
  pauseMs: number;
}

/** A reading held while offline, with the device-clock stamp it was taken with. */
export type BufferedReading = Reading;

/** One device's live state: the machine's context, mutated in place by the actions (actions.ts). */
export interface TrackerRuntime extends TrackerMachineContext {
  readonly spec: DeviceSpec;
  readonly deps: TrackerDeps;
  readonly options: ResolvedTrackerOptions;
  readonly source: ReadingSource;
  readonly dataTopic: string;
  readonly uploadPhaseMs: number;
  readonly logger: Logger;
  readonly behaviour: TrackerBehaviour;
  /** Behaviour hooks draw from this stream, so an adversary never shifts the honest streams. */
  readonly behaviourRandom: Random;
  readonly config: LiveConfig;
  readonly buffer: ReadingBuffer<BufferedReading>;
  /** undefined when the battery model is off. */
  readonly battery: BatteryState | undefined;
  service: StateMachine.Service<TrackerMachineContext, TrackerEvent, { value: TrackerState; context: TrackerMachineContext }>;
  /** The state's own timer (boot, connect timeout, backoff, update, sleep): cancelled when the state exits. */
  timer: TimerHandle | undefined;
  /** The upload grid's timer; runs across online, buffering and reconnects. */
  sampleTimer: TimerHandle | undefined;
  /** Pause between bulk-upload bursts. */
  bulkTimer: TimerHandle | undefined;
  /** The cell failure to come (behaviour.batteryFailure), from power-on until it happens or the device stops. */
  faultTimer: TimerHandle | undefined;
  /** True from reconnect until the backlog is uploaded: live readings queue behind it. */
  draining: boolean;
  link: MqttLink | undefined;
  /** Consecutive failures since the device was last online. */
  attempt: number;
  /** Bumped by each connect and by shutdown, so late answers from an earlier attempt are ignored. */
  attemptToken: number;
  /** A forced network outage (behaviour.outageMs, a timeline's partition) lasts until then: connects fail. */
  outageUntilMs: number;
  /** Switched off by `cutPower` and not booted again: only such a device is booted by `restorePower`. */
  poweredOffByHand: boolean;
  firmwareVersion: string;
  /** The firmware offer being downloaded in `updating`. */
  offer: { version: string; size: number } | undefined;
  stopped: Promise<void> | undefined;
}

/** The states in which the device is awake and its battery checks apply. */
export const AWAKE: ReadonlySet<TrackerState> = new Set(['booting', 'registering', 'connecting', 'online', 'backoff', 'buffering', 'updating']);

/**
 * Sends an event. The battery is settled first, at the current of the state being left; a charge
 * at or below the low mark (or empty) turns the event into `battery.low` (`battery.empty`).
 */
export function send(ctx: TrackerRuntime, type: TrackerEventType): void {
  const from = ctx.service.state.value;
  const battery = ctx.battery;
  if (battery !== undefined && type !== 'power.off') {
    settleBattery(battery, from, ctx.deps.clock.nowMs());
    // Switched off by hand, a low cell does not turn it into sleep: it is off either way.
    if (type !== 'power.cut' && (AWAKE.has(from) || from === 'sleeping')) {
      const charge = chargeOf(battery);
      if (charge <= 0) type = 'battery.empty';
      else if (from !== 'sleeping' && charge <= battery.options.lowCharge) type = 'battery.low';
    }
  }
  ctx.service.send(type);
  const to = ctx.service.state.value;
  if (from !== to) ctx.deps.events.stateChanged(ctx.spec.id, from, to, ctx.deps.clock.nowMs());
}

/** Sends after the current action returns: actions must never send re-entrantly. */
export function sendSoon(ctx: TrackerRuntime, type: TrackerEventType): void {
  void Promise.resolve().then(() => send(ctx, type));
}

export function schedule(ctx: TrackerRuntime, delayMs: number, event: TrackerEventType): void {
  ctx.timer = ctx.deps.clock.schedule(delayMs, () => {
    ctx.timer = undefined;
    send(ctx, event);
  });
}

export function cancelTimer(ctx: TrackerRuntime): void {
  if (ctx.timer !== undefined) ctx.deps.clock.cancel(ctx.timer);
  ctx.timer = undefined;
}

export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
