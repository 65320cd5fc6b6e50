import { createMachine, type StateMachine } from '@xstate/fsm';

/**
 * The Pebble tracker's life cycle, declared. States are named as in the firmware; events are
 * dotted. Actions are names only: the runtime (actions.ts) supplies them.
 *
 *   off → booting → registering → connecting → online            (registration 'registrar')
 *   off → booting → connecting → registering → online            (registration 'confirm': the
 *         confirm exchange needs the MQTT link, so the device connects first)
 *   a device that was never accepted retries from `backoff`; one that was (it has readings worth
 *   keeping) waits in `buffering`: the same capped, jittered backoff, but it keeps sampling at its
 *   upload period into a bounded on-device buffer, uploaded in bulk once `online` again
 *   online —firmware.offered→ updating —update.done→ booting (the new firmware)
 *   awake states —battery.low→ sleeping —battery.empty→ dead
 *   any —power.off→ stopped (final: no transitions leave it)
 *   awake states —power.cut→ off (switched off by hand, a scenario's devices.powerOff: it can be
 *   powered on again, registered as it was, with what it had buffered still on it)
 */
export type TrackerState =
  | 'off'
  | 'booting'
  | 'registering'
  | 'connecting'
  | 'online'
  | 'backoff'
  | 'buffering'
  | 'sleeping'
  | 'dead'
  | 'updating'
  | 'stopped';

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
  | 'firmware.offered'
  | 'update.done'
  | 'battery.low'
  | 'battery.empty'
  | 'power.off'
  | 'power.cut';

export type TrackerEvent = { type: TrackerEventType };

export type TrackerActionName =
  | 'boot'
  | 'register'
  | 'markRegistered'
  | 'connect'
  | 'goOnline'
  | 'leaveOnline'
  | 'upload'
  | 'bufferReading'
  | 'waitBackoff'
  | 'startSampling'
  | 'cancelTimer'
  | 'startUpdate'
  | 'installFirmware'
  | 'sleep'
  | 'die'
  | 'powerDown'
  | 'shutdown';

/** Runtimes extend this; actions mutate it in place, so one context object lives per device. */
export interface TrackerMachineContext {
  registered: boolean;
  /** Registration by the ConfirmPackage exchange over MQTT rather than by the Registrar port. */
  confirmMode: boolean;
}

type Typestate = { value: TrackerState; context: TrackerMachineContext };
type Config = StateMachine.Config<TrackerMachineContext, TrackerEvent, Typestate>;

const POWER_OFF = { 'power.off': 'stopped', 'power.cut': { target: 'off', actions: 'powerDown' } } as const;
const BATTERY = { 'battery.low': 'sleeping', 'battery.empty': 'dead' } as const;
const registered = (c: TrackerMachineContext): boolean => c.registered;
/** Registering through the Registrar needs no link, so it comes before connecting. */
const registersFirst = (c: TrackerMachineContext): boolean => !c.registered && !c.confirmMode;
const offline = [{ target: 'buffering', cond: registered }, { target: 'backoff' }] as const;

export const trackerMachineConfig: Config = {
  id: 'pebble-tracker',
  initial: 'off',
  context: { registered: false, confirmMode: false },
  states: {
    off: { on: { 'power.on': 'booting', 'power.off': 'stopped' } },
    booting: {
      entry: 'boot',
      exit: 'cancelTimer',
      on: { 'boot.done': [{ target: 'registering', cond: registersFirst }, { target: 'connecting' }], ...BATTERY, ...POWER_OFF },
    },
    registering: {
      entry: 'register',
      exit: 'cancelTimer',
      on: {
        'registration.confirmed': [
          { target: 'online', cond: (c) => c.confirmMode, actions: 'markRegistered' },
          { target: 'connecting', actions: 'markRegistered' },
        ],
        'registration.failed': 'backoff',
        'connection.lost': 'backoff',
        ...BATTERY,
        ...POWER_OFF,
      },
    },
    connecting: {
      entry: 'connect',
      exit: 'cancelTimer',
      on: {
        'connection.opened': [{ target: 'registering', cond: (c) => !c.registered }, { target: 'online' }],
        'connection.failed': [...offline],
        'upload.due': { actions: 'bufferReading' },
        ...BATTERY,
        ...POWER_OFF,
      },
    },
    online: {
      entry: 'goOnline',
      exit: 'leaveOnline',
      on: {
        'upload.due': { actions: 'upload' },
        'connection.lost': [...offline],
        'firmware.offered': 'updating',
        ...BATTERY,
        ...POWER_OFF,
      },
    },
    backoff: {
      entry: 'waitBackoff',
      exit: 'cancelTimer',
      on: {
        'backoff.elapsed': [{ target: 'registering', cond: registersFirst }, { target: 'connecting' }],
        ...BATTERY,
        ...POWER_OFF,
      },
    },
    buffering: {
      entry: ['waitBackoff', 'startSampling'],
      exit: 'cancelTimer',
      on: { 'backoff.elapsed': 'connecting', 'upload.due': { actions: 'bufferReading' }, ...BATTERY, ...POWER_OFF },
    },
    updating: {
      entry: 'startUpdate',
      exit: 'cancelTimer',
      on: { 'update.done': { target: 'booting', actions: 'installFirmware' }, ...BATTERY, ...POWER_OFF },
    },
    sleeping: { entry: 'sleep', exit: 'cancelTimer', on: { 'battery.empty': 'dead', 'power.off': 'stopped' } },
    dead: { entry: 'die', on: { 'power.off': 'stopped' } },
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
