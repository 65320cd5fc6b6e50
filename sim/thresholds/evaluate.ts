import { compareThreshold, formatInUnit, growingCounterCanStillPass } from '../../core/threshold-expression.ts';
import type { LiveCounters } from '../../reports/metrics/catalogue.ts';
import type { FleetOnlyReport, RunReport } from '../../reports/types.ts';
import type { ThresholdResult } from '../../reports/verdicts.ts';
import type { PlannedThreshold } from './threshold-plan.ts';

/** The threshold that stopped a run early, and what it read then. */
export interface ThresholdAbort {
  threshold: PlannedThreshold;
  measured: number;
}

function result(threshold: PlannedThreshold, measured: number | null, aborted: boolean): ThresholdResult {
  const { expression, definition, entry } = threshold;
  return {
    expression: expression.source,
    metric: expression.metric,
    measured,
    measuredText: measured === null ? 'not measured' : formatInUnit(measured, expression.unit, definition.kind),
    expected: `${expression.op} ${expression.boundText}`,
    // A metric the run did not measure cannot show the run met it.
    ok: measured !== null && compareThreshold(measured, expression.op, expression.bound),
    abortOnFail: entry.abortOnFail,
    aborted,
  };
}

/**
 * Every threshold against the finished run's report. A threshold that aborted the run keeps the
 * value that stopped it when the report's own reading (taken later) would pass it again.
 */
export function evaluateThresholds(
  planned: readonly PlannedThreshold[],
  report: RunReport | FleetOnlyReport,
  abort?: ThresholdAbort,
): ThresholdResult[] {
  const fleetOnly = (report as FleetOnlyReport).mode === 'fleet-only';
  return planned.map((threshold) => {
    const { definition, key } = threshold;
    const measured = fleetOnly ? (definition.fleetOnly?.(report as FleetOnlyReport, key) ?? null) : (definition.run?.(report as RunReport, key) ?? null);
    if (abort?.threshold !== threshold) return result(threshold, measured, false);
    const stopped = result(threshold, measured, true);
    return stopped.ok ? result(threshold, abort.measured, true) : stopped;
  });
}

/** Puts the evaluated thresholds in the report; a failed one makes the report's verdict a failure. */
export function judgeThresholds(planned: readonly PlannedThreshold[], report: RunReport | FleetOnlyReport, abort?: ThresholdAbort): void {
  report.thresholds = evaluateThresholds(planned, report, abort);
  report.ok = report.ok && report.thresholds.every((t) => t.ok);
}

/** The first watched threshold that a growing counter has put out of reach, or undefined. */
export function firstLost(planned: readonly PlannedThreshold[], counters: LiveCounters): ThresholdAbort | undefined {
  for (const threshold of planned) {
    if (!threshold.watched) continue;
    const measured = threshold.definition.live!(counters, threshold.key);
    if (!growingCounterCanStillPass(measured, threshold.expression.op, threshold.expression.bound)) return { threshold, measured };
  }
  return undefined;
}
