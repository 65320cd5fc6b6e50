export { renderSweepHtml } from './render-sweep-html.ts';
export type { LooseSweep } from './loose-sweep.ts';
export type { MetricSummary, SweepMetricInfo, SweepObjectiveResult, SweepResult, SweepSetResult } from './sweep-result.ts';
