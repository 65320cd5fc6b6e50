import type { LooseSweep } from './loose-sweep.ts';
import { objectiveMarks, type MarkOp } from './objective-marks.ts';
import { metricGroups, sweepMetrics } from './sweep-metrics-info.ts';
import { sweepGrid, type GridX } from './sweep-grid.ts';

/**
 * What the sweep page's script draws, embedded in sweep.html as JSON: the grid's x and series
 * once (every chart shares them, and so does the one legend), and per metric the columns of
 * mean, sd, min and max, one row per series aligned with x. Small: 100 sets × 12 metrics is
 * 4,800 numbers.
 */

type Column = (number | null)[];

export interface ChartData {
  /** The metric's key, e.g. `honestReward.commuter`; the chart's id in window.__pinbench.charts. */
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly description: string;
  readonly group: string;
  /** Per series, per x. */
  readonly mean: Column[];
  readonly sd: Column[];
  readonly min: Column[];
  readonly max: Column[];
  /** Why the chart has nothing to draw: "not in this sweep: …" on the page. */
  readonly missing: string | null;
  /** The objective maximises or minimises this metric. */
  readonly objective: 'max' | 'min' | null;
  /** The objective's constraints on this metric: a line at each bound, the side that fails shaded. */
  readonly bounds: readonly { readonly op: MarkOp; readonly bound: number; readonly source: string }[];
}

export interface SweepPageData {
  readonly x: GridX | null;
  readonly series: readonly { readonly label: string; readonly setIds: readonly (number | null)[] }[];
  readonly setLabels: Readonly<Record<number, string>>;
  /** The objective's best set on the grid, so each chart marks it. */
  readonly best: { readonly setId: number; readonly x: number; readonly series: number } | null;
  readonly groups: readonly { readonly title: string; readonly ids: readonly string[] }[];
  readonly charts: readonly ChartData[];
  /** Said above the charts: parts of the grid read off the sets, sets that could not be placed. */
  readonly notes: readonly string[];
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function sweepPageData(sweep: LooseSweep): SweepPageData {
  const grid = sweepGrid(sweep);
  const { metrics, note: metricsNote } = sweepMetrics(sweep);
  const marks = objectiveMarks(sweep.objective?.text);
  const byId = new Map((sweep.sets ?? []).filter((s) => typeof s.id === 'number').map((s) => [s.id!, s]));
  const charts = metrics.map((m): ChartData => {
    const column = (field: 'mean' | 'sd' | 'min' | 'max') => grid.series.map((s) => s.setIds.map((id) => (id === null ? null : finite(byId.get(id)?.metrics?.[m.name]?.[field]))));
    const mean = column('mean');
    const drawn = mean.some((row) => row.some((v) => v !== null));
    const missing = drawn ? null : grid.series.length === 0 ? 'no set on the grid' : `no set has ${m.name}`;
    const objective = marks?.metric === m.name ? marks.direction : null;
    const bounds = (marks?.constraints ?? []).filter((c) => c.metric === m.name).map(({ op, bound, source }) => ({ op, bound, source }));
    return { id: m.name, label: m.label, unit: m.unit, description: m.description, group: '', mean, sd: column('sd'), min: column('min'), max: column('max'), missing, objective, bounds };
  });
  const groups = metricGroups(metrics).map((g) => ({ title: g.title, ids: g.metrics.map((m) => m.name) }));
  const bestId = sweep.objective?.bestSetId;
  let best: SweepPageData['best'] = null;
  if (typeof bestId === 'number') {
    grid.series.forEach((s, series) => {
      const x = s.setIds.indexOf(bestId);
      if (x >= 0) best = { setId: bestId, x, series };
    });
  }
  const notes = [grid.note, metricsNote, ...(grid.unplaced.length === 0 ? [] : [`Not on the charts: ${grid.unplaced.join('; ')}.`])].filter((n): n is string => n !== null);
  const setLabels = Object.fromEntries([...byId].map(([id, s]) => [id, s.label ?? `set ${id}`]));
  return {
    x: grid.x,
    series: grid.series,
    setLabels,
    best,
    groups,
    charts: charts.map((c) => ({ ...c, group: groups.find((g) => g.ids.includes(c.id))!.title })),
    notes,
  };
}
