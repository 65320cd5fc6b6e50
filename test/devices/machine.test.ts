import { describe, expect, it } from 'vitest';
import { createTrackerMachine, trackerMachineConfig, type TrackerEventType, type TrackerState } from '../../devices/index.ts';

const machine = createTrackerMachine();
type Ctx = { registered?: boolean; confirmMode?: boolean };
const at = (value: TrackerState, { registered = false, confirmMode = false }: Ctx = {}) => ({
  value,
  context: { registered, confirmMode },
  actions: [],
  matches: (v: string) => v === value,
});
const step = (from: TrackerState, event: TrackerEventType, ctx: Ctx = {}) => {
  const next = machine.transition(at(from, ctx) as never, event);
  return { to: next.value, actions: next.actions.map((a) => a.type), changed: next.changed };
};
const REG = { registered: true };
const CONFIRM = { confirmMode: true };

describe('tracker machine', () => {
  it.each<[TrackerState, TrackerEventType, Ctx, TrackerState, string[]]>([
    ['off', 'power.on', {}, 'booting', ['boot']],
    ['booting', 'boot.done', {}, 'registering', ['cancelTimer', 'register']],
    ['booting', 'boot.done', REG, 'connecting', ['cancelTimer', 'connect']],
    ['booting', 'boot.done', CONFIRM, 'connecting', ['cancelTimer', 'connect']],
    ['registering', 'registration.confirmed', {}, 'connecting', ['cancelTimer', 'markRegistered', 'connect']],
    ['registering', 'registration.confirmed', CONFIRM, 'online', ['cancelTimer', 'markRegistered', 'goOnline']],
    ['registering', 'registration.failed', {}, 'backoff', ['cancelTimer', 'waitBackoff']],
    ['registering', 'connection.lost', CONFIRM, 'backoff', ['cancelTimer', 'waitBackoff']],
    ['connecting', 'connection.opened', REG, 'online', ['cancelTimer', 'goOnline']],
    ['connecting', 'connection.opened', CONFIRM, 'registering', ['cancelTimer', 'register']],
    ['connecting', 'connection.failed', {}, 'backoff', ['cancelTimer', 'waitBackoff']],
    ['connecting', 'connection.failed', REG, 'buffering', ['cancelTimer', 'waitBackoff', 'startSampling']],
    ['online', 'connection.lost', REG, 'buffering', ['leaveOnline', 'waitBackoff', 'startSampling']],
    ['online', 'firmware.offered', REG, 'updating', ['leaveOnline', 'startUpdate']],
    ['online', 'battery.low', REG, 'sleeping', ['leaveOnline', 'sleep']],
    ['online', 'battery.empty', REG, 'dead', ['leaveOnline', 'die']],
    ['backoff', 'backoff.elapsed', {}, 'registering', ['cancelTimer', 'register']],
    ['backoff', 'backoff.elapsed', CONFIRM, 'connecting', ['cancelTimer', 'connect']],
    ['buffering', 'backoff.elapsed', REG, 'connecting', ['cancelTimer', 'connect']],
    ['buffering', 'battery.low', REG, 'sleeping', ['cancelTimer', 'sleep']],
    ['updating', 'update.done', REG, 'booting', ['cancelTimer', 'installFirmware', 'boot']],
    ['sleeping', 'battery.empty', REG, 'dead', ['cancelTimer', 'die']],
  ])('behavior: %s —%s→ (context %j) %s', (from, event, ctx, to, actions) => {
    expect(step(from, event, ctx)).toEqual({ to, actions, changed: true });
  });

  it('behavior: backoff —backoff.elapsed→ connecting once registered', () => {
    expect(step('backoff', 'backoff.elapsed', REG)).toEqual({ to: 'connecting', actions: ['cancelTimer', 'connect'], changed: true });
  });

  it('behavior: upload.due publishes online and keeps the reading while buffering or reconnecting, without leaving the state', () => {
    expect(step('online', 'upload.due', REG)).toEqual({ to: 'online', actions: ['upload'], changed: true });
    expect(step('buffering', 'upload.due', REG)).toEqual({ to: 'buffering', actions: ['bufferReading'], changed: true });
    expect(step('connecting', 'upload.due', REG)).toEqual({ to: 'connecting', actions: ['bufferReading'], changed: true });
  });

  it.each<TrackerState>(['booting', 'registering', 'connecting', 'online', 'backoff', 'buffering', 'updating'])('behavior: %s —battery.low→ sleeping', (from) => {
    expect(step(from, 'battery.low', REG).to).toBe('sleeping');
    expect(step(from, 'battery.empty', REG).to).toBe('dead');
  });

  it.each<TrackerState>(['off', 'booting', 'registering', 'connecting', 'online', 'backoff', 'buffering', 'updating', 'sleeping', 'dead'])(
    'behavior: %s —power.off→ stopped',
    (from) => {
      const result = step(from, 'power.off');
      expect(result.to).toBe('stopped');
      expect(result.actions.at(-1)).toBe('shutdown');
    },
  );

  it.each<TrackerState>(['booting', 'registering', 'connecting', 'online', 'backoff', 'buffering', 'updating'])('behavior: %s —power.cut→ off, powered down', (from) => {
    const result = step(from, 'power.cut', REG);
    expect(result.to).toBe('off');
    expect(result.actions.at(-1)).toBe('powerDown');
  });

  it('behavior: power.cut leaves off, sleeping and dead alone (they are not running)', () => {
    for (const from of ['off', 'sleeping', 'dead'] as TrackerState[]) expect(step(from, 'power.cut', REG).changed).toBe(false);
  });

  it('behavior: stopped is final, dead only powers off, and events a state does not expect are ignored', () => {
    expect(trackerMachineConfig.states.stopped.on).toBeUndefined();
    for (const event of ['power.on', 'connection.opened', 'backoff.elapsed', 'power.off'] as TrackerEventType[]) {
      expect(step('stopped', event)).toEqual({ to: 'stopped', actions: [], changed: false });
    }
    for (const event of ['power.on', 'boot.done', 'connection.opened', 'upload.due', 'battery.low', 'update.done'] as TrackerEventType[]) {
      expect(step('dead', event, REG).changed).toBe(false);
    }
    expect(step('sleeping', 'upload.due', REG).changed).toBe(false);
    expect(step('sleeping', 'connection.opened', REG).changed).toBe(false);
    expect(step('online', 'connection.opened').changed).toBe(false);
    expect(step('backoff', 'upload.due').changed).toBe(false);
    expect(step('connecting', 'connection.lost').changed).toBe(false);
    expect(step('buffering', 'firmware.offered', REG).changed).toBe(false);
    expect(step('off', 'boot.done').changed).toBe(false);
  });

  it('args: the machine starts off and declares the firmware state names', () => {
    expect(machine.initialState.value).toBe('off');
    expect(Object.keys(trackerMachineConfig.states)).toEqual([
      'off',
      'booting',
      'registering',
      'connecting',
      'online',
      'backoff',
      'buffering',
      'updating',
      'sleeping',
      'dead',
      'stopped',
    ]);
  });
});
