import { isThresholdSyntaxError, parseThresholdExpression } from '../../core/threshold-expression.ts';

/**
 * The objective as marks on the charts: which metric it maximises or minimises, and each
 * constraint's bound as a line on its metric's chart. sweep.json keeps only the objective's
 * text, so the page reads it by the grammar `pinbench sweep --objective` takes
 * (`max|min <metric> [s.t. <metric> <op> <number>[%] [and …]]`, constraints in core's threshold
 * grammar). Only for drawing: the sweep already chose the best set. A text the page cannot read
 * draws no marks.
 */

export type MarkOp = '<' | '<=' | '>' | '>=';

export interface ObjectiveMarks {
  readonly direction: 'max' | 'min';
  readonly metric: string;
  readonly constraints: readonly { readonly metric: string; readonly op: MarkOp; readonly bound: number; readonly source: string }[];
}

const OPS: readonly string[] = ['<', '<=', '>', '>='];

export function objectiveMarks(text: string | undefined): ObjectiveMarks | null {
  const m = /^(max|min)\s+(\S+)(?:\s+s\.t\.\s+(.+))?$/i.exec((text ?? '').trim());
  if (m === null) return null;
  const constraints: Array<ObjectiveMarks['constraints'][number]> = [];
  for (const part of m[3] === undefined ? [] : m[3].split(/\s+and\s+/i)) {
    const parsed = parseThresholdExpression(part);
    if (isThresholdSyntaxError(parsed) || !OPS.includes(parsed.op) || (parsed.unit !== null && parsed.unit !== '%')) return null;
    constraints.push({ metric: parsed.metric, op: parsed.op as MarkOp, bound: parsed.bound, source: parsed.source });
  }
  return { direction: m[1]!.toLowerCase() as 'max' | 'min', metric: m[2]!, constraints };
}
