import { createMachine, type StateMachine } from '@xstate/fsm';

/**
 * The Pebble tracker's connection life cycle, declared. States are named as in the firmware;
 * events are dotted. Actions are names only: the runtime (tracker.ts) supplies them.
 *
 *   off → booting → registering → connecting → online
 *   connecting —connection.failed→ backoff —backoff.elapsed→ connecting (registering if not yet registered)
 *   registering —registration.failed→ backoff
 *   online —connection.lost→ backoff
 *   any —power.off→ stopped (final: no transitions leave it)
 */
export type TrackerState = 'off' | 'booting' | 'registering' | 'connecting' | 'online' | 'backoff' | 'stopped';

export type TrackerEventType =
  | 'power.on'
  | 'boot.done'
  | 'registration.confirmed'
  | 'registration.failed'
  | 'connection.opened'
  | 'connection.lost'
  | 'connection.failed'
  | 'backoff.elapsed'
  | 'upload.due'
  | 'power.off';

export type TrackerEvent = { type: TrackerEventType };

export type TrackerActionName = 'boot' | 'register' | 'markRegistered' | 'connect' | 'goOnline' | 'upload' | 'waitBackoff' | 'cancelTimer' | 'shutdown';

/** Runtimes extend this; actions mutate it in place, so one context object lives per device. */
export interface TrackerMachineContext {
  registered: boolean;
}

type Typestate = { value: TrackerState; context: TrackerMachineContext };
type Config = StateMachine.Config<TrackerMachineContext, TrackerEvent, Typestate>;

const POWER_OFF = { 'power.off': 'stopped' } as const;

export const trackerMachineConfig: Config = {
  id: 'pebble-tracker',
  initial: 'off',
  context: { registered: false },
  states: {
    off: { on: { 'power.on': 'booting', ...POWER_OFF } },
    booting: { entry: 'boot', exit: 'cancelTimer', on: { 'boot.done': 'registering', ...POWER_OFF } },
    registering: {
      entry: 'register',
      on: {
        'registration.confirmed': { target: 'connecting', actions: 'markRegistered' },
        'registration.failed': 'backoff',
        ...POWER_OFF,
      },
    },
    connecting: {
      entry: 'connect',
      exit: 'cancelTimer',
      on: { 'connection.opened': 'online', 'connection.failed': 'backoff', ...POWER_OFF },
    },
    online: {
      entry: 'goOnline',
      exit: 'cancelTimer',
      on: { 'upload.due': { actions: 'upload' }, 'connection.lost': 'backoff', ...POWER_OFF },
    },
    backoff: {
      entry: 'waitBackoff',
      exit: 'cancelTimer',
      on: {
        'backoff.elapsed': [{ target: 'registering', cond: (context) => !context.registered }, { target: 'connecting' }],
        ...POWER_OFF,
      },
    },
    stopped: { entry: 'shutdown' },
  },
};

export type TrackerMachine = StateMachine.Machine<TrackerMachineContext, TrackerEvent, Typestate>;

/** The machine with the runtime's actions bound (`createMachine` with no actions gives a pure one for tests). */
export function createTrackerMachine(
  actions?: Record<TrackerActionName, StateMachine.ActionFunction<TrackerMachineContext, TrackerEvent>>,
): TrackerMachine {
  return createMachine<TrackerMachineContext, TrackerEvent, Typestate>(trackerMachineConfig, actions ? { actions } : {});
}
