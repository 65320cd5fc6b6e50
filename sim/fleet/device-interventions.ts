import type { Clock, TimerHandle } from '../../core/ports.ts';

/**
 * What a scenario's timeline does to devices (sim/timeline/ plans it), as plain data: it crosses
 * to a fleet process unchanged, and each side schedules it on the clock its trackers run on, so
 * an event reaches a device at the same simulated time wherever the fleet runs.
 */
export type DeviceInterventionKind = 'dropConnection' | 'cutNetwork' | 'cutPower' | 'restorePower';

export interface DeviceIntervention {
  /** Its place in the plan: outcomes are reported by it. */
  id: number;
  /** Simulated time it happens. */
  atMs: number;
  kind: DeviceInterventionKind;
  deviceIds: readonly string[];
  /** cutNetwork: the network comes back then. */
  untilMs?: number;
}

/** What an intervention needs of a tracker (devices/tracker/interventions.ts). */
export interface InterventionTarget {
  readonly id: string;
  dropConnection(): boolean;
  cutNetwork(untilMs: number): boolean;
  cutPower(): boolean;
  restorePower(): boolean;
}

/** Applies one intervention now; returns how many devices it changed (a cut network: how many had a connection to lose). */
export function applyIntervention(byId: ReadonlyMap<string, InterventionTarget>, intervention: DeviceIntervention): number {
  let affected = 0;
  for (const id of intervention.deviceIds) {
    const tracker = byId.get(id);
    if (tracker === undefined) continue;
    switch (intervention.kind) {
      case 'dropConnection':
        if (tracker.dropConnection()) affected += 1;
        break;
      case 'cutNetwork':
        if (tracker.cutNetwork(intervention.untilMs ?? intervention.atMs)) affected += 1;
        break;
      case 'cutPower':
        if (tracker.cutPower()) affected += 1;
        break;
      case 'restorePower':
        if (tracker.restorePower()) affected += 1;
        break;
    }
  }
  return affected;
}

/**
 * Schedules every intervention on `clock`; `done` hears how many devices each changed. Returns a
 * cancel for a run stopped early. On a discrete clock each is a barrier: it runs once the I/O
 * before it settled (a publish made just before a dropped link has its PUBACK by then), in a
 * slice of its own, so the same event does the same thing in this process and in a fleet
 * process, whose publishes wait behind the run's answer.
 */
export function scheduleInterventions(
  trackers: readonly InterventionTarget[],
  clock: Clock & { scheduleBarrier?(delayMs: number, fn: () => void): TimerHandle },
  list: readonly DeviceIntervention[],
  done: (id: number, affected: number) => void,
): () => void {
  if (list.length === 0) return () => undefined;
  const byId = new Map(trackers.map((t) => [t.id, t]));
  const at = (atMs: number, fn: () => void) => (clock.scheduleBarrier ?? clock.schedule).call(clock, Math.max(0, atMs - clock.nowMs()), fn);
  const handles = list.flatMap((intervention) => [
    at(intervention.atMs, () => done(intervention.id, applyIntervention(byId, intervention))),
    // The network's return is a slice boundary too, wherever the fleet runs: the reconnects
    // after it then see the same simulated times in this process and in a fleet process.
    ...(intervention.untilMs === undefined ? [] : [at(intervention.untilMs, () => undefined)]),
  ]);
  return () => {
    for (const handle of handles) clock.cancel(handle);
  };
}
