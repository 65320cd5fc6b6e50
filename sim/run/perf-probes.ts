import type { Clock } from '../../core/ports.ts';
import type { BackendBroker } from '../../backend/start-backend.ts';
import type { Ingest } from '../../backend/ingest/ingest.ts';
import type { FleetRuntime } from '../fleet/fleet-runtime.ts';

/** Machine states a tracker can be in; the report charts devices per state over time. */
export const TRACKER_STATES = ['off', 'booting', 'registering', 'connecting', 'online', 'backoff', 'buffering', 'sleeping', 'dead', 'updating', 'stopped'] as const;

/** The counters sampled once a second during the fleet run, by name. */
export function perfProbes(input: { fleet: FleetRuntime; ingest: Ingest; broker: BackendBroker; clock: Clock }): Record<string, () => number> {
  const { fleet, ingest, broker, clock } = input;
  const probes: Record<string, () => number> = {
    simTimeS: () => Math.floor(clock.nowMs() / 1000),
    // A team's broker does not say how many it holds: then the devices' own count.
    connections: () => broker.connectedClients() ?? fleet.onlineCount(),
    published: () => fleet.publishedCount(),
    accepted: () => ingest.counters.accepted,
    rejected: () => ingest.counters.received - ingest.counters.accepted,
    ingestInFlight: () => ingest.inFlight(),
  };
  for (const state of TRACKER_STATES) probes[`state.${state}`] = () => fleet.stateCount(state);
  return probes;
}
