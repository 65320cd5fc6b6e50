import type { LooseSweep } from './loose-sweep.ts';
import type { SweepMetricInfo } from './sweep-result.ts';

/**
 * The sweep's metrics in page order, grouped: `honestReward.commuter` and its siblings under one
 * heading, the fleet-wide figures under another. Metrics are generic: any `prefix.name` joins
 * the group of its prefix, so a metric the page has never heard of is still drawn.
 */

export interface MetricGroup {
  readonly key: string;
  readonly title: string;
  readonly metrics: readonly SweepMetricInfo[];
}

const GROUP_TITLES: Readonly<Record<string, string>> = {
  '': 'Fleet-wide',
  honestReward: 'Reward per honest device, by motion profile',
  adversaryReward: 'Reward captured per adversary device, by profile: the cost of cheating',
};

/** The metrics sweep.json lists, or (an older file without `metrics`) every key its sets have, named by key. */
export function sweepMetrics(sweep: LooseSweep): { metrics: SweepMetricInfo[]; note: string | null } {
  if (sweep.metrics !== undefined) {
    const metrics = sweep.metrics
      .filter((m) => typeof m.name === 'string')
      .map((m) => ({ name: m.name!, label: m.label ?? m.name!, unit: m.unit ?? '', description: m.description ?? '' }));
    return { metrics, note: null };
  }
  const names = [...new Set((sweep.sets ?? []).flatMap((s) => Object.keys(s.metrics ?? {})))];
  return {
    metrics: names.map((name) => ({ name, label: name, unit: '', description: '' })),
    note: names.length === 0 ? null : 'The metrics\' labels and units are not in this sweep (sweep.json has no metrics): named by key.',
  };
}

export function groupOf(metricName: string): string {
  const dot = metricName.indexOf('.');
  return dot < 0 ? '' : metricName.slice(0, dot);
}

/** Groups in the order their first metric comes, each metric in its own order. */
export function metricGroups(metrics: readonly SweepMetricInfo[]): MetricGroup[] {
  const groups = new Map<string, SweepMetricInfo[]>();
  for (const m of metrics) {
    const key = groupOf(m.name);
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups].map(([key, list]) => ({ key, title: GROUP_TITLES[key] ?? key, metrics: list }));
}
