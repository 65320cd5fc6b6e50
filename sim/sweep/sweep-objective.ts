import { closestNames } from '../../core/closest-names.ts';
import { PinbenchError } from '../../core/errors.ts';
import { isThresholdSyntaxError, parseThresholdExpression } from '../../core/threshold-expression.ts';
import type { SweepObjectiveResult, SweepSetResult } from '../../reports/sweep/sweep-result.ts';

export type ObjectiveOp = '<' | '<=' | '>' | '>=';

export interface Objective {
  readonly text: string;
  readonly direction: 'max' | 'min';
  readonly metric: string;
  readonly constraints: readonly { readonly metric: string; readonly op: ObjectiveOp; readonly bound: number }[];
}

const EXAMPLE = "e.g. --objective 'max honestShare s.t. gini < 0.4 and top10Share <= 50%'";
const OPS: readonly string[] = ['<', '<=', '>', '>='];

function refuse(text: string, why: string): PinbenchError {
  return new PinbenchError('SWEEP_INVALID', `--objective ${text}: ${why}; ${EXAMPLE}`);
}

function checkMetric(text: string, name: string, metrics: readonly string[]): void {
  if (metrics.includes(name)) return;
  const near = closestNames(name, metrics, 1);
  throw refuse(text, `no metric is named ${name}; ${near.length > 0 ? `did you mean ${near[0]}?` : `the metrics are: ${metrics.join(', ')}`}`);
}

/**
 * `max|min <metric> [s.t. <metric> <op> <number> [and …]]`, the constraint grammar that of a
 * scenario's thresholds (core/threshold-expression.ts) restricted to < <= > >= and plain numbers
 * or a %. Metric names are checked against the sweep's metrics (sweep-metrics.ts).
 */
export function parseObjective(text: string, metrics: readonly string[]): Objective {
  const source = text.trim();
  const m = /^(max|min)\s+(\S+)(?:\s+s\.t\.\s+(.+))?$/i.exec(source);
  if (m === null) throw refuse(source, 'expected `max <metric>` or `min <metric>`, optionally followed by `s.t.` and constraints joined by `and`');
  const direction = m[1]!.toLowerCase() as 'max' | 'min';
  const metric = m[2]!;
  checkMetric(source, metric, metrics);
  const constraints = (m[3] === undefined ? [] : m[3].split(/\s+and\s+/i)).map((part) => {
    const parsed = parseThresholdExpression(part);
    if (isThresholdSyntaxError(parsed)) throw refuse(source, `constraint ${parsed.error.replace(/; write e\.g\..*$/, '')}`);
    if (!OPS.includes(parsed.op)) throw refuse(source, `constraint \`${parsed.source}\`: ${parsed.op} is not allowed, use one of ${OPS.join(' ')}`);
    if (parsed.unit !== null && parsed.unit !== '%') throw refuse(source, `constraint \`${parsed.source}\`: a unit \`${parsed.unit}\` does not apply; give a plain number or a %`);
    checkMetric(source, parsed.metric, metrics);
    return { metric: parsed.metric, op: parsed.op as ObjectiveOp, bound: parsed.bound };
  });
  return { text: source, direction, metric, constraints };
}

function holds(value: number | undefined, op: ObjectiveOp, bound: number): boolean {
  if (value === undefined || Number.isNaN(value)) return false;
  return op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : value >= bound;
}

/** The sets that have the objective's metric and meet every constraint, on their means. */
export function feasibleSets(objective: Objective, sets: readonly SweepSetResult[]): SweepSetResult[] {
  return sets.filter((s) => s.metrics[objective.metric] !== undefined && objective.constraints.every((c) => holds(s.metrics[c.metric]?.mean, c.op, c.bound)));
}

/** The best feasible set on the metrics' means (ties: the lower id); none feasible ⇒ bestSetId undefined. */
export function evaluateObjective(objective: Objective, sets: readonly SweepSetResult[]): SweepObjectiveResult {
  const feasible = feasibleSets(objective, sets);
  let best: SweepSetResult | undefined;
  for (const s of feasible) {
    const v = s.metrics[objective.metric]!.mean;
    if (best === undefined) best = s;
    else {
      const b = best.metrics[objective.metric]!.mean;
      if (objective.direction === 'max' ? v > b : v < b) best = s;
    }
  }
  return { text: objective.text, feasibleSets: feasible.length, ...(best === undefined ? {} : { bestSetId: best.id }) };
}
