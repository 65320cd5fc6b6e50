import { z } from 'zod';
import { IMEI_PATTERN } from '../protocol/client-ids.ts';

/**
 * The scenario's `timeline:`: events at simulated times since the run's start (sim/timeline/
 * carries them out). Durations are seconds (a number) or a string with a unit: `90s`, `2min`,
 * `1h`, `500ms`. Devices are a share of the fleet (`25%`, chosen from the seed, so the same
 * scenario and seed pick the same devices), `all`, or a list of IMEIs.
 */

const DURATION_PATTERN = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|min|h)$/;
const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, min: 60, h: 3600 };
const DURATION_ERROR = 'expected a duration: seconds as a number, or a string such as "30s", "2min", "1h"';

/** `30`, `"30s"`, `"2min"` → seconds. */
export function parseDurationS(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION_PATTERN.exec(value.trim());
  return match === null ? undefined : Number(match[1]) * UNIT_S[match[2]!]!;
}

const duration = (what: string, positive: boolean) =>
  z
    .union([z.number(), z.string()], { error: DURATION_ERROR })
    .transform((value, ctx) => {
      const s = parseDurationS(value);
      if (s === undefined || (positive && s <= 0)) {
        ctx.addIssue({ code: 'custom', message: positive ? `${DURATION_ERROR}, above 0` : DURATION_ERROR });
        return z.NEVER;
      }
      return s;
    })
    .meta({ description: what });

/** Which devices an event touches: every device, a share chosen from the seed, or these IMEIs. */
export type DeviceSelection = { kind: 'all' } | { kind: 'share'; share: number } | { kind: 'ids'; ids: string[] };

const SHARE_PATTERN = /^([0-9]+(?:\.[0-9]+)?)%$/;
const DEVICES_ERROR = 'expected "all", a share of the fleet such as "25%", or a list of device IMEIs';

const deviceSelection = z
  // YAML reads an unquoted IMEI as a number: 15 digits fit a double exactly, so it is taken as written.
  .union([z.string(), z.array(z.union([z.string(), z.number()], { error: 'expected a device IMEI of 15 digits' }))], { error: DEVICES_ERROR })
  .transform((input, ctx): DeviceSelection => {
    if (Array.isArray(input)) {
      const value = input.map(String);
      if (value.length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one device IMEI, or "all"' });
      for (const id of value) {
        if (!IMEI_PATTERN.test(id)) ctx.addIssue({ code: 'custom', params: { namesInput: true }, message: `expected device IMEIs of 15 digits, got "${id}"` });
      }
      return { kind: 'ids', ids: [...new Set(value)] };
    }
    if (input === 'all') return { kind: 'all' };
    const match = SHARE_PATTERN.exec(input.trim());
    const percent = match === null ? NaN : Number(match[1]);
    if (!(percent > 0 && percent <= 100)) {
      ctx.addIssue({ code: 'custom', message: `${DEVICES_ERROR} (a share above 0% and at most 100%)` });
      return z.NEVER;
    }
    return { kind: 'share', share: percent / 100 };
  })
  .meta({ description: 'Which devices: "all", a share of the fleet such as "25%" (chosen from the seed: the same scenario and seed pick the same devices), or a list of IMEIs.' });

const at = duration('When the event happens, in simulated time since the run started: seconds, or "90s", "2min".', false);
const devicesDefaultAll = deviceSelection.prefault('all');

const eventName = <N extends string>(name: N) => z.literal(name).meta({ description: `The event: ${name}.` });

export const TIMELINE_EVENTS = ['devices.reconnectStorm', 'network.partition', 'devices.powerOff', 'devices.powerOn', 'broker.restart', 'chain.restart'] as const;
export type TimelineEventName = (typeof TIMELINE_EVENTS)[number];

const reconnectStorm = z
  .strictObject({
    at,
    event: eventName('devices.reconnectStorm'),
    devices: devicesDefaultAll,
  })
  .meta({ description: 'Every chosen device that is online drops its MQTT connection at once and reconnects with its own backoff.' });

const partition = z
  .strictObject({
    at,
    event: eventName('network.partition'),
    devices: devicesDefaultAll,
    for: duration('How long the devices stay cut off; connects fail until then, readings are buffered on the device and uploaded after.', true),
  })
  .meta({ description: 'The chosen devices lose their network: connections cut, reconnects fail until it heals.' });

const powerOff = z
  .strictObject({
    at,
    event: eventName('devices.powerOff'),
    devices: devicesDefaultAll,
    for: duration('Optional: power them on again after this long (otherwise a later devices.powerOn does).', true).optional(),
  })
  .meta({ description: 'The chosen devices switch off entirely: no readings while off; what they had buffered stays on the device.' });

const powerOn = z
  .strictObject({
    at,
    event: eventName('devices.powerOn'),
    devices: devicesDefaultAll.meta({ description: 'Which of the powered-off devices to power on: "all" (default), a share of them, or IMEIs.' }),
  })
  .meta({ description: 'Devices powered off by an earlier devices.powerOff boot again.' });

const brokerRestart = z
  .strictObject({
    at,
    event: eventName('broker.restart'),
    downFor: duration('How long the broker stays down; its listeners come back on the same ports.', true).prefault(10),
  })
  .meta({ description: 'The embedded broker goes down (listeners closed, every connection dropped) and comes back; devices back off, buffer and upload.' });

const chainRestart = z
  .strictObject({
    at,
    event: eventName('chain.restart'),
    downFor: duration('How long the chain stays down, in wall-clock seconds: the chain mines in real time, not on the simulated clock.', true).prefault(5),
    kill: z
      .boolean()
      .default(false)
      .meta({ description: 'Kill anvil (SIGKILL) instead of stopping it: it comes back from the state it last saved (every few seconds), so what was mined since is lost and sent again.' }),
  })
  .meta({ description: 'The embedded anvil stops (it saves its state) and comes back on the same port from that state, while settlements are in flight; the transaction sender waits for it and sends again what the chain does not have.' });

export const timelineEventSchema = z.discriminatedUnion('event', [reconnectStorm, partition, powerOff, powerOn, brokerRestart, chainRestart], {
  error: (issue) => (issue.code === 'invalid_union' ? `expected an event of: ${TIMELINE_EVENTS.join(', ')}` : undefined),
});

export const timelineSchema = z
  .array(timelineEventSchema, { error: 'expected a list of events such as { at: 60s, event: devices.reconnectStorm }' })
  .default([])
  .meta({ description: 'Events at simulated times: broker and chain restarts, network partitions, reconnect storms, devices powered off and on (README.md, "Timeline").' });

export type TimelineEvent = z.output<typeof timelineEventSchema>;
export type Timeline = z.output<typeof timelineSchema>;

type Issue = { path: Array<string | number>; message: string };

/**
 * What needs the whole scenario: called from the scenario schema's superRefine. Every event
 * must fall within the run; broker.restart needs the embedded broker.
 */
export function timelineIssues(timeline: Timeline, run: { runS: number; externalBroker: boolean }): Issue[] {
  const issues: Issue[] = [];
  for (const [i, event] of timeline.entries()) {
    if (event.at >= run.runS) {
      issues.push({ path: ['timeline', i, 'at'], message: `${event.event} at ${event.at} s is not within the run's ${run.runS} s; move it earlier or lengthen the epochs` });
    }
    if (event.event === 'broker.restart' && run.externalBroker) {
      issues.push({ path: ['timeline', i, 'event'], message: "broker.restart restarts the embedded broker, and broker.url replaces it with your own: restart your broker yourself, or run on the embedded one" });
    }
  }
  return issues;
}
