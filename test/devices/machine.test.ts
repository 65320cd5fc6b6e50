import { describe, expect, it } from 'vitest';
import { createTrackerMachine, trackerMachineConfig, type TrackerEventType, type TrackerState } from '../../devices/index.ts';

const machine = createTrackerMachine();
const at = (value: TrackerState, registered = false) => ({
  value,
  context: { registered },
  actions: [],
  matches: (v: string) => v === value,
});
const step = (from: TrackerState, event: TrackerEventType, registered = false) => {
  const next = machine.transition(at(from, registered) as never, event);
  return { to: next.value, actions: next.actions.map((a) => a.type), changed: next.changed };
};

describe('tracker machine', () => {
  it.each<[TrackerState, TrackerEventType, TrackerState, string[]]>([
    ['off', 'power.on', 'booting', ['boot']],
    ['booting', 'boot.done', 'registering', ['cancelTimer', 'register']],
    ['registering', 'registration.confirmed', 'connecting', ['markRegistered', 'connect']],
    ['registering', 'registration.failed', 'backoff', ['waitBackoff']],
    ['connecting', 'connection.opened', 'online', ['cancelTimer', 'goOnline']],
    ['connecting', 'connection.failed', 'backoff', ['cancelTimer', 'waitBackoff']],
    ['online', 'connection.lost', 'backoff', ['cancelTimer', 'waitBackoff']],
    ['backoff', 'backoff.elapsed', 'registering', ['cancelTimer', 'register']],
  ])('behavior: %s —%s→ %s', (from, event, to, actions) => {
    expect(step(from, event)).toEqual({ to, actions, changed: true });
  });

  it('behavior: backoff —backoff.elapsed→ connecting once registered', () => {
    expect(step('backoff', 'backoff.elapsed', true)).toEqual({ to: 'connecting', actions: ['cancelTimer', 'connect'], changed: true });
  });

  it('behavior: online —upload.due→ online runs the upload without leaving the state', () => {
    expect(step('online', 'upload.due')).toEqual({ to: 'online', actions: ['upload'], changed: true });
  });

  it.each<TrackerState>(['off', 'booting', 'registering', 'connecting', 'online', 'backoff'])('behavior: %s —power.off→ stopped', (from) => {
    const result = step(from, 'power.off');
    expect(result.to).toBe('stopped');
    expect(result.actions.at(-1)).toBe('shutdown');
  });

  it('behavior: stopped is final and events a state does not expect are ignored', () => {
    expect(trackerMachineConfig.states.stopped.on).toBeUndefined();
    for (const event of ['power.on', 'connection.opened', 'backoff.elapsed', 'power.off'] as TrackerEventType[]) {
      expect(step('stopped', event)).toEqual({ to: 'stopped', actions: [], changed: false });
    }
    expect(step('online', 'connection.opened').changed).toBe(false);
    expect(step('backoff', 'upload.due').changed).toBe(false);
    expect(step('connecting', 'connection.lost').changed).toBe(false);
    expect(step('off', 'boot.done').changed).toBe(false);
  });

  it('args: the machine starts off and declares the firmware state names', () => {
    expect(machine.initialState.value).toBe('off');
    expect(Object.keys(trackerMachineConfig.states)).toEqual(['off', 'booting', 'registering', 'connecting', 'online', 'backoff', 'stopped']);
  });
});
