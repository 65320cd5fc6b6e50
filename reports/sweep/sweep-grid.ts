import type { LooseSweep } from './loose-sweep.ts';

/**
 * The sweep's sets placed on its grid, for the charts: x is the first axis, one series per
 * combination of the other axes. A sweep.json that lacks `axes` or a set's `params` is placed
 * from what is there (the sets' params, or their labels), and what cannot be placed is counted.
 */

export interface GridAxis {
  readonly name: string;
  /** In chart order: ascending when numeric, else as the sweep gave them. */
  readonly values: readonly string[];
}

export interface GridX extends GridAxis {
  /** True when every value is a number: the chart's x is then that number, else the value's position. */
  readonly numeric: boolean;
  /** True when the numbers grow by a steadier factor than step (50, 100, 200, 400): x is then their log10, evenly spread. */
  readonly log: boolean;
  /** Where each value stands on the chart's x. */
  readonly x: readonly number[];
}

export interface GridSeries {
  /** The other axes' values, `cap=50, flagPenalty=epoch`; the metric's own name with one axis. */
  readonly label: string;
  /** The set drawn at each x, or null where the grid has none. */
  readonly setIds: readonly (number | null)[];
}

export interface SweepGrid {
  readonly x: GridX | null;
  readonly otherAxes: readonly GridAxis[];
  readonly series: readonly GridSeries[];
  /** Sets with no place on the grid (a missing axis value, an id twice, a cell twice), and why. */
  readonly unplaced: readonly string[];
  /** Said on the page when the axes were not in sweep.json and were read off the sets. */
  readonly note: string | null;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** A set's params: its own, or read off its label `a=1,b=2` (values cannot hold a comma: --grid splits on it). */
export function setParams(set: NonNullable<LooseSweep['sets']>[number]): Record<string, string> {
  if (set.params !== undefined) return Object.fromEntries(Object.entries(set.params).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const out: Record<string, string> = {};
  for (const part of (set.label ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** The axes as the sweep declared them, with any value a set has and the axis lacks appended; or, without `axes`, read off the sets. */
export function sweepAxes(sweep: LooseSweep): { axes: GridAxis[]; note: string | null } {
  const declared = (sweep.axes ?? []).filter((a) => typeof a.name === 'string').map((a) => ({ name: a.name!, values: [...(a.values ?? [])].filter((v): v is string => typeof v === 'string') }));
  const axes = new Map(declared.map((a) => [a.name, a.values]));
  for (const set of sweep.sets ?? []) {
    for (const [name, value] of Object.entries(setParams(set))) {
      if (sweep.axes !== undefined && !axes.has(name)) continue;
      const values = axes.get(name) ?? [];
      if (!values.includes(value)) values.push(value);
      axes.set(name, values);
    }
  }
  const note = sweep.axes === undefined ? 'The grid\'s axes are not in this sweep (sweep.json has no axes): read off the sets\' parameters.' : null;
  return { axes: [...axes].map(([name, values]) => ({ name, values })), note };
}

/** Spread of a list relative to its mean (coefficient of variation); 0 for fewer than two. */
function variation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) / Math.abs(mean);
}

/**
 * Grids are often made by doubling (cap=50,100,200,400): on a linear x the small values crowd
 * into one corner. Such an axis (all positive, at least three values, steps more uneven than
 * ratios) is drawn at log10 of its values, its ticks still the values as given.
 */
export function looksGeometric(sorted: readonly number[]): boolean {
  if (sorted.length < 3 || sorted[0]! <= 0) return false;
  const steps = sorted.slice(1).map((v, i) => v - sorted[i]!);
  const ratios = sorted.slice(1).map((v, i) => v / sorted[i]!);
  return variation(ratios) < variation(steps);
}

function xAxis(axis: GridAxis): GridX {
  const numbers = axis.values.map((v) => (NUMBER.test(v.trim()) ? Number(v) : NaN));
  // "1e3" and "1000" are one number but two grid values: such an axis is drawn by position.
  const numeric = numbers.every(Number.isFinite) && new Set(numbers).size === numbers.length;
  if (!numeric) return { ...axis, numeric, log: false, x: axis.values.map((_, i) => i) };
  const order = axis.values.map((_, i) => i).sort((a, b) => numbers[a]! - numbers[b]!);
  const sorted = order.map((i) => numbers[i]!);
  const log = looksGeometric(sorted);
  return { name: axis.name, values: order.map((i) => axis.values[i]!), numeric, log, x: log ? sorted.map(Math.log10) : sorted };
}

/** Places every set of the sweep on the grid. */
export function sweepGrid(sweep: LooseSweep): SweepGrid {
  const { axes, note } = sweepAxes(sweep);
  const sets = sweep.sets ?? [];
  if (axes.length === 0) return { x: null, otherAxes: [], series: [], unplaced: sets.length === 0 ? [] : [`${sets.length} sets: the sweep has no axes to place them on`], note };
  const x = xAxis(axes[0]!);
  const otherAxes = axes.slice(1);
  // Series in the grid's order: the other axes' values, the earlier axis varying slowest.
  const combos: string[][] = otherAxes.reduce<string[][]>((acc, axis) => acc.flatMap((c) => axis.values.map((v) => [...c, v])), [[]]);
  const cells = new Map(combos.map((c) => [JSON.stringify(c), x.values.map((): number | null => null)]));
  const unplaced: string[] = [];
  const seenIds = new Set<number>();
  for (const set of sets) {
    const name = set.label ?? `set ${set.id ?? '?'}`;
    if (typeof set.id !== 'number') { unplaced.push(`${name}: no id`); continue; }
    if (seenIds.has(set.id)) { unplaced.push(`${name}: id ${set.id} twice`); continue; }
    seenIds.add(set.id);
    const params = setParams(set);
    const lacking = axes.find((a) => params[a.name] === undefined);
    if (lacking !== undefined) { unplaced.push(`${name}: no value for ${lacking.name}`); continue; }
    const row = cells.get(JSON.stringify(otherAxes.map((a) => params[a.name])))!;
    const at = x.values.indexOf(params[x.name]!);
    if (row[at] !== null) { unplaced.push(`${name}: the grid cell of set ${row[at]} again`); continue; }
    row[at] = set.id;
  }
  const series = combos
    .map((combo) => ({ label: combo.map((v, i) => `${otherAxes[i]!.name}=${v}`).join(', '), setIds: cells.get(JSON.stringify(combo))! }))
    .filter((s) => s.setIds.some((id) => id !== null));
  return { x, otherAxes, series, unplaced, note };
}
