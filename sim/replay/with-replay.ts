import type { FleetRuntime } from '../fleet/fleet-runtime.ts';
import type { CapturePlayer } from './capture-player.ts';

/**
 * The run's fleet with replayed devices beside its trackers: sizes, registrations, connections and
 * publishes add up, so the run's checks (every device registered, every acknowledged publish
 * accounted for) count the replayed devices as any others. The replayed devices show in the
 * machine-state counts as `online` while connected and `off` otherwise. Their peak is added to
 * the trackers' peak: an upper bound of the joint peak, which the two do not track together.
 */
export function withReplay(fleet: FleetRuntime, player: CapturePlayer, startClock: () => void): FleetRuntime {
  const replayStates = (): Record<string, number> => ({ online: player.online, off: player.size - player.online });
  return {
    size: fleet.size + player.size,
    specs: fleet.specs,
    useBroker: (target) => fleet.useBroker(target),
    start() {
      startClock();
      player.start();
      fleet.start();
    },
    stop: async () => {
      await Promise.all([player.stop(), fleet.stop()]);
    },
    onlineCount: () => fleet.onlineCount() + player.online,
    peakOnline: () => fleet.peakOnline() + player.peak,
    publishedCount: () => fleet.publishedCount() + player.published,
    registeredCount: () => fleet.registeredCount() + player.registeredCount(),
    statesSnapshot() {
      const states = { ...fleet.statesSnapshot() };
      for (const [state, n] of Object.entries(replayStates())) if (n > 0) states[state] = (states[state] ?? 0) + n;
      return states;
    },
    stateCount: (state) => fleet.stateCount(state) + (replayStates()[state] ?? 0),
    // The replayed devices' connections are the player's, not counted here.
    connections: () => fleet.connections(),
    incidents: () => fleet.incidents(),
    readingAccepted(clientId, digest, payload, acceptedMs) {
      if (player.plays(clientId)) player.readingAccepted(clientId, payload, acceptedMs);
      else fleet.readingAccepted(clientId, digest, payload, acceptedMs);
    },
  };
}
