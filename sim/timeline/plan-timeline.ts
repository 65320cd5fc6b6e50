import { PinbenchError } from '../../core/errors.ts';
import type { Timeline, TimelineEvent } from '../../scenarios/timeline-schema.ts';
import type { DeviceIntervention } from '../fleet/device-interventions.ts';
import { chooseDevices } from './choose-devices.ts';

/** One scheduled event as the report shows it, with what carries it out. */
export interface PlannedEvent {
  index: number;
  event: TimelineEvent['event'];
  atS: number;
  durationS: number;
  /** The devices chosen (empty for broker events). */
  deviceIds: readonly string[];
  /** The interventions it made, by id (a powerOff with `for` makes two: off, then on). */
  interventionIds: readonly number[];
}

export interface BrokerRestart {
  index: number;
  atMs: number;
  downMs: number;
}

/** A chain restart: at a simulated moment; down for wall-clock ms (the chain mines in real time). */
export interface ChainRestartPlan {
  index: number;
  atMs: number;
  downMs: number;
  kill: boolean;
}

export interface TimelinePlan {
  events: PlannedEvent[];
  interventions: DeviceIntervention[];
  brokerRestarts: BrokerRestart[];
  chainRestarts: ChainRestartPlan[];
}

/**
 * Turns the scenario's timeline into what the fleet and the broker do, all decided before the
 * run starts: which devices each event touches (from the seed), and for `devices.powerOn`, which
 * devices are off by then (those earlier powerOffs switched off and nothing powered on yet).
 * `startMs` is the run's start (the first epoch's), `deviceIds` the fleet in plan order.
 */
export function planTimeline(input: { timeline: Timeline; startMs: number; deviceIds: readonly string[]; seed: number; source: string }): TimelinePlan {
  const { timeline, startMs, deviceIds, seed, source } = input;
  const known = new Set(deviceIds);
  const plan: TimelinePlan = { events: [], interventions: [], brokerRestarts: [], chainRestarts: [] };
  const msOf = (s: number) => startMs + Math.round(s * 1000);
  const add = (kind: DeviceIntervention['kind'], atS: number, ids: readonly string[], untilS?: number): number => {
    const id = plan.interventions.length;
    plan.interventions.push({ id, atMs: msOf(atS), kind, deviceIds: ids, ...(untilS === undefined ? {} : { untilMs: msOf(untilS) }) });
    return id;
  };
  // Devices off at each moment, to know whom a powerOn brings back: [device, back-on time or Infinity].
  const offUntil = new Map<string, number>();
  const offAt = (atS: number) => deviceIds.filter((id) => (offUntil.get(id) ?? -Infinity) > atS);
  // In time order (stable for equal times), so "off by then" follows the timeline, not the file's order.
  const ordered = timeline.map((event, index) => ({ event, index })).sort((a, b) => a.event.at - b.event.at || a.index - b.index);
  for (const { event, index } of ordered) {
    if ('devices' in event && event.devices.kind === 'ids') {
      const unknown = event.devices.ids.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new PinbenchError('SCENARIO_INVALID', `${source}: timeline[${index}].devices: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the fleet; list IMEIs of the fleet's devices or give a share such as "25%"`);
      }
    }
    const planned: PlannedEvent = { index, event: event.event, atS: event.at, durationS: 0, deviceIds: [], interventionIds: [] };
    switch (event.event) {
      case 'devices.reconnectStorm':
        planned.deviceIds = chooseDevices(event.devices, deviceIds, seed, index);
        planned.interventionIds = [add('dropConnection', event.at, planned.deviceIds)];
        break;
      case 'network.partition':
        planned.deviceIds = chooseDevices(event.devices, deviceIds, seed, index);
        planned.durationS = event.for;
        planned.interventionIds = [add('cutNetwork', event.at, planned.deviceIds, event.at + event.for)];
        break;
      case 'devices.powerOff': {
        // Devices already off are not chosen again: the share is of those still on.
        const on = deviceIds.filter((id) => !offAt(event.at).includes(id));
        planned.deviceIds = chooseDevices(event.devices, on, seed, index);
        const ids = [add('cutPower', event.at, planned.deviceIds)];
        if (event.for !== undefined) {
          planned.durationS = event.for;
          ids.push(add('restorePower', event.at + event.for, planned.deviceIds));
        }
        planned.interventionIds = ids;
        for (const id of planned.deviceIds) offUntil.set(id, event.for === undefined ? Infinity : event.at + event.for);
        break;
      }
      case 'devices.powerOn':
        planned.deviceIds = chooseDevices(event.devices, offAt(event.at), seed, index);
        planned.interventionIds = [add('restorePower', event.at, planned.deviceIds)];
        for (const id of planned.deviceIds) offUntil.set(id, event.at);
        break;
      case 'broker.restart': {
        planned.durationS = event.downFor;
        const restart = { index, atMs: msOf(event.at), downMs: Math.round(event.downFor * 1000) };
        plan.brokerRestarts.push(restart);
        // The devices learn of it at the same simulated moment, as real ones do within
        // milliseconds: in accelerated time a socket's close would otherwise reach them only
        // after the slice's timers ran, and each would publish one reading into a dead link.
        // Their connects fail until 1 ms after the broker is back: a connect then starts in
        // the slice after the one that brought it up (run-timeline.ts), never racing it.
        const id = plan.interventions.length;
        plan.interventions.push({ id, atMs: restart.atMs, kind: 'cutNetwork', deviceIds, untilMs: restart.atMs + restart.downMs + 1 });
        planned.interventionIds = [id];
        break;
      }
      case 'chain.restart':
        // Its length is wall-clock time, so the report's simulated duration stays 0.
        plan.chainRestarts.push({ index, atMs: msOf(event.at), downMs: Math.round(event.downFor * 1000), kill: event.kill });
        break;
    }
    plan.events.push(planned);
  }
  return plan;
}
