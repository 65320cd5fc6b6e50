import type { Logger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import { closestNames } from '../../core/closest-names.ts';
import { isThresholdSyntaxError, parseThresholdExpression, unitMismatch, type ThresholdExpression } from '../../core/threshold-expression.ts';
import { familyKeys, findMetric, metricNames, METRICS, type MetricDefinition, type MetricNameContext } from '../../reports/metrics/catalogue.ts';
import { REJECTION_REASONS } from '../../backend/ingest/reasons.ts';
import { isReplayEntry, type Scenario } from '../../scenarios/index.ts';
import type { ThresholdEntry } from '../../scenarios/thresholds-schema.ts';

/** A threshold checked against the run it belongs to: its metric found, its unit fitting. */
export interface PlannedThreshold {
  entry: ThresholdEntry;
  expression: ThresholdExpression;
  definition: MetricDefinition;
  /** The metric family's placeholder value (`signature` in `rejected.signature`), '' for a plain metric. */
  key: string;
  /** `abortOnFail`, and the metric can be judged while the run goes. */
  watched: boolean;
}

/** The names metric families take in this scenario's run: the ingest's rejection reasons and its device profiles. */
export function metricContextOf(scenario: Scenario): MetricNameContext {
  const profiles = new Set<string>(['honest', 'adversaries']);
  for (const group of scenario.fleet) {
    if (isReplayEntry(group)) continue;
    if (group.adversary !== undefined) profiles.add(group.adversary.name);
    else {
      profiles.add(group.motion);
      for (const fault of group.faults) profiles.add(fault.name);
    }
  }
  return { rejectionReasons: Object.keys(REJECTION_REASONS), profiles: [...profiles] };
}

/**
 * Checks every threshold against the metrics this run measures, before anything starts: an
 * unknown metric (with the close ones), a unit that does not fit, or a metric this kind of run
 * does not measure (`--backend none` has no proofs or gas) is THRESHOLD_INVALID.
 */
export function planThresholds(input: {
  entries: readonly ThresholdEntry[];
  context: MetricNameContext;
  source: string;
  fleetOnly: boolean;
  logger: Logger;
}): PlannedThreshold[] {
  const { context, source, fleetOnly, logger } = input;
  const fail = (message: string) => new PinbenchError('THRESHOLD_INVALID', `${source}: thresholds: ${message}`);
  return input.entries.map((entry) => {
    const expression = parseThresholdExpression(entry.expr);
    if (isThresholdSyntaxError(expression)) throw fail(expression.error);
    const found = findMetric(expression.metric, context);
    if (found === undefined) {
      const family = METRICS.find((d) => d.name.includes('<') && expression.metric.startsWith(d.name.slice(0, d.name.indexOf('<'))));
      const close = closestNames(expression.metric, metricNames(context));
      const hint = close.length > 0 ? `; close: ${close.join(', ')}` : family !== undefined ? `; ${family.name} takes one of: ${familyKeys(family, context)!.join(', ')}` : '';
      throw fail(`unknown metric ${expression.metric}${hint} (docs/metrics.md lists them all)`);
    }
    const { definition, key } = found;
    const mismatch = unitMismatch(expression, definition.kind);
    if (mismatch !== null) throw fail(mismatch);
    const reader = fleetOnly ? definition.fleetOnly : definition.run;
    if (reader === undefined) {
      throw fail(
        fleetOnly
          ? `${expression.metric} is not measured in a run without pinbench's backend (--backend none); remove the threshold or run with the backend`
          : `${expression.metric} is measured only in a run without pinbench's backend (--backend none)`,
      );
    }
    const liveBound = expression.op === '<' || expression.op === '<=' || expression.op === '==';
    const watched = entry.abortOnFail && definition.live !== undefined && liveBound && !fleetOnly;
    if (entry.abortOnFail && !watched) {
      const why =
        fleetOnly
          ? 'a run without pinbench\'s backend is judged at its end'
          : definition.live === undefined
            ? `${expression.metric} is known only at the end of the run`
            : `a bound from below (${expression.op}) can still be met later`;
      logger.warn(`threshold \`${entry.expr}\`: abortOnFail cannot stop the run early (${why}); it is judged at the end`);
    }
    return { entry, expression, definition, key, watched };
  });
}
