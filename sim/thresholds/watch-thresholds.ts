import type { Logger } from '../../core/ports.ts';
import type { LiveCounters } from '../../reports/metrics/catalogue.ts';
import type { SimTime } from '../clock/sim-time.ts';
import { firstLost, type ThresholdAbort } from './evaluate.ts';
import type { PlannedThreshold } from './threshold-plan.ts';

/** How often, in simulated time, the `abortOnFail` thresholds read the run's counters. */
export const THRESHOLD_WATCH_EVERY_MS = 1000;

export interface ThresholdWatch {
  /** Resolves with the threshold that can no longer pass; never when none fails. */
  readonly lost: Promise<ThresholdAbort>;
  /** The abort, once there was one (read after the run). */
  readonly abort: () => ThresholdAbort | undefined;
  stop(): void;
}

/**
 * Reads the counters of the `abortOnFail` thresholds every simulated second, at a barrier (once
 * the I/O started before it has settled), so an accelerated run with the same seed stops at the
 * same simulated moment. With no watched threshold, nothing is scheduled.
 */
export function watchThresholds(input: {
  planned: readonly PlannedThreshold[];
  counters: () => LiveCounters;
  time: SimTime;
  logger: Logger;
}): ThresholdWatch {
  const { planned, counters, time, logger } = input;
  let stopped = false;
  let found: ThresholdAbort | undefined;
  let announce: (abort: ThresholdAbort) => void = () => undefined;
  const lost = new Promise<ThresholdAbort>((resolve) => (announce = resolve));
  const look = () => {
    if (stopped) return;
    found = firstLost(planned, counters());
    if (found === undefined) {
      time.scheduleBarrier(THRESHOLD_WATCH_EVERY_MS, look);
      return;
    }
    stopped = true;
    logger.warn(`threshold \`${found.threshold.expression.source}\` failed mid-run (measured ${found.measured}): stopping the run (abortOnFail)`);
    announce(found);
  };
  if (planned.some((t) => t.watched)) time.scheduleBarrier(THRESHOLD_WATCH_EVERY_MS, look);
  return {
    lost,
    abort: () => found,
    stop: () => void (stopped = true),
  };
}
