import type { StateMachine } from '@xstate/fsm';
import type { Clock, Logger, Random, TimerHandle } from '../../core/ports.ts';
import type { MotionModel } from '../motion/model.ts';
import type { SensorModel } from '../sensors/sensors.ts';
import type { DeviceSpec } from '../spec.ts';
import type { TrackerEvent, TrackerEventType, TrackerMachineContext, TrackerState } from './machine.ts';
import type { ResolvedTrackerOptions } from './options.ts';
import type { DeviceEventSink, MqttConnector, MqttLink, Registrar } from './ports.ts';
import type { ReadingSource } from './reading.ts';

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
}

/** One device's live state: the machine's context, mutated in place by the actions (actions.ts). */
export interface TrackerRuntime extends TrackerMachineContext {
  readonly spec: DeviceSpec;
  readonly deps: TrackerDeps;
  readonly options: ResolvedTrackerOptions;
  readonly source: ReadingSource;
  readonly dataTopic: string;
  readonly uploadPhaseMs: number;
  readonly logger: Logger;
  service: StateMachine.Service<TrackerMachineContext, TrackerEvent, { value: TrackerState; context: TrackerMachineContext }>;
  timer: TimerHandle | undefined;
  link: MqttLink | undefined;
  /** Consecutive failures since the device was last online. */
  attempt: number;
  /** Bumped by each connect and by shutdown, so late answers from an earlier attempt are ignored. */
  attemptToken: number;
  stopped: Promise<void> | undefined;
}

export function send(ctx: TrackerRuntime, type: TrackerEventType): void {
  const from = ctx.service.state.value;
  ctx.service.send(type);
  const to = ctx.service.state.value;
  if (from !== to) ctx.deps.events.stateChanged(ctx.spec.id, from, to, ctx.deps.clock.nowMs());
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
