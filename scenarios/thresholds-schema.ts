import { z } from 'zod';
import { isThresholdSyntaxError, parseThresholdExpression } from '../core/threshold-expression.ts';

/**
 * A scenario's `thresholds:`: what the run must measure to pass, as k6 thresholds are for HTTP.
 * The syntax is checked here, with the scenario; the metric names are checked against the
 * metrics the run measures (reports/metrics/catalogue.ts) when the run starts.
 */
const expression = z
  .string({ error: 'expected a threshold such as "latency.publishToAccept.p99 < 100ms"' })
  .superRefine((text, ctx) => {
    const parsed = parseThresholdExpression(text);
    if (isThresholdSyntaxError(parsed)) ctx.addIssue({ code: 'custom', params: { namesInput: true }, message: parsed.error });
  })
  .meta({ description: '`<metric> <op> <value>[unit]`: op one of < <= > >= == !=, unit ms, s, min, B, KiB, MiB, GiB or % (docs/metrics.md lists the metrics).' });

export const thresholdEntrySchema = z
  .union(
    [
      expression,
      z.strictObject({
        expr: expression,
        abortOnFail: z
          .boolean({ error: 'expected true or false' })
          .default(false)
          .meta({ description: 'Stop the run as soon as the threshold can no longer pass (live metrics only; docs/metrics.md).' }),
      }),
    ],
    { error: 'expected a threshold string, or { expr, abortOnFail }' },
  )
  .transform((entry) => (typeof entry === 'string' ? { expr: entry.trim(), abortOnFail: false } : { expr: entry.expr.trim(), abortOnFail: entry.abortOnFail }));

export const thresholdsSchema = z
  .array(thresholdEntrySchema, { error: 'expected a list of thresholds' })
  .default([])
  .meta({ description: 'What the run must measure to pass: a failed threshold makes the run exit 99 (README, "Thresholds").' });

export type ThresholdEntry = z.output<typeof thresholdEntrySchema>;
