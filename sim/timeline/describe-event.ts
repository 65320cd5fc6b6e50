import type { TimelineEventReport } from '../../reports/verdicts.ts';
import type { PlannedEvent } from './plan-timeline.ts';

/** What a chain restart did: set as it runs (run-timeline.ts). */
export interface ChainRestartOutcome {
  kill: boolean;
  /** Wall-clock ms from going down to answering again. */
  backAfterMs?: number;
  error?: string;
}

/** One event's line in the report: what it did, from the fleet's and the broker's outcomes. */
export function describeEvent(
  event: PlannedEvent,
  outcomes: ReadonlyMap<number, number>,
  broker: { dropped?: number; error?: string; up?: boolean } | undefined,
  chain?: ChainRestartOutcome,
): TimelineEventReport {
  const base = { event: event.event, atS: event.atS, durationS: event.durationS, devices: event.deviceIds.length };
  if (event.event === 'chain.restart') {
    if (chain?.error !== undefined) return { ...base, detail: `chain restart failed: ${chain.error}`, ok: false };
    if (chain?.backAfterMs === undefined) return { ...base, detail: 'did not run: the run ended first', ok: false };
    const how = chain.kill ? 'killed (SIGKILL); back from the state it last saved' : 'stopped; back from the state it saved on the way down';
    return { ...base, detail: `anvil ${how}, answering again after ${(chain.backAfterMs / 1000).toFixed(1)} s wall-clock`, ok: true };
  }
  if (event.event === 'broker.restart') {
    if (broker?.error !== undefined) return { ...base, devices: 0, detail: `broker restart failed: ${broker.error}`, ok: false };
    if (broker?.up !== true) return { ...base, devices: 0, detail: 'did not run: the run ended first', ok: false };
    const lost = outcomes.get(event.interventionIds[0] ?? -1) ?? 0;
    return { ...base, devices: 0, detail: `broker down ${event.durationS} s; ${lost} devices lost their connection`, ok: true };
  }
  const done = event.interventionIds.map((id) => outcomes.get(id));
  if (done[0] === undefined) return { ...base, detail: 'did not run: the run ended first', ok: false };
  const chosen = event.deviceIds.length;
  const n = done[0];
  switch (event.event) {
    case 'devices.reconnectStorm':
      return { ...base, detail: `${n} of ${chosen} devices were connected and dropped their connection`, ok: true };
    case 'network.partition':
      return { ...base, detail: `${chosen} devices without network for ${event.durationS} s (${n} lost a connection)`, ok: true };
    case 'devices.powerOff': {
      const back = done[1];
      const after = event.interventionIds.length < 2 ? '' : back === undefined ? '; not powered on again before the run ended' : `; ${back} booted again after ${event.durationS} s`;
      return { ...base, detail: `${n} of ${chosen} devices switched off${after}`, ok: event.interventionIds.length < 2 || back !== undefined };
    }
    default:
      return { ...base, detail: `${n} of ${chosen} powered-off devices booted again`, ok: true };
  }
}
