import type { Clock } from '../../core/ports.ts';
import type { Scenario } from '../../scenarios/index.ts';

/** What the ramp needs of a tracker. */
export interface PowerOnTarget {
  start(): void;
}

/**
 * Powers the fleet on as the scenario's `ramp` says, on the simulation clock, so the same seed
 * gives the same ramp in realtime and accelerated runs: `all` starts every tracker now (a
 * connect storm); `devicesPerS` starts device k (in plan order) k / devicesPerS seconds after
 * the start. Returns a function that cancels the power-ons still to come, for a run stopped
 * during the ramp (a tracker that is stopped while off cannot be started again).
 */
export function powerOnFleet(trackers: readonly PowerOnTarget[], clock: Clock, ramp: Scenario['ramp']): () => void {
  const { devicesPerS } = ramp;
  if (devicesPerS === 'all') {
    for (const tracker of trackers) tracker.start();
    return () => undefined;
  }
  const handles = trackers.map((tracker, k) => clock.schedule((k * 1000) / devicesPerS, () => tracker.start()));
  return () => {
    for (const handle of handles) clock.cancel(handle);
  };
}
