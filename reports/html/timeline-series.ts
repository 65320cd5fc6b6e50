import type { RunSample } from '../output.ts';

/**
 * `performance.timeline` as columns for the charts (x: wall seconds since the fleet started).
 * New reports' points are whole `RunSample`s; older reports' points lack latency, timer
 * lateness and the proof queue, so those columns are null when no point has them, and the
 * chart says so instead of drawing nothing.
 */
export interface TimelineColumns {
  tS: number[];
  publishedPerS: number[];
  acceptedPerS: number[];
  connections: number[];
  cpuPercent: number[];
  rssMb: number[];
  loopLagP99Ms: number[];
  /** Per state, devices in it at each point (0 where a point left the state out). */
  states: Record<string, number[]>;
  /** Null: the report's points have no `latencyMs`; a null entry: nothing accepted that second. */
  latencyMs: { p50: Array<number | null>; p95: Array<number | null>; p99: Array<number | null> } | null;
  timerLatenessP99Ms: Array<number | null> | null;
  proofs: { queued: number[]; proving: number[] } | null;
  /** Points in the report, before any were merged. */
  samples: number;
}

/**
 * Points beyond this are merged, so a day-long run's page stays small: 1,200 points are more
 * than a chart's width in pixels at the page's widths.
 */
export const MAX_TIMELINE_POINTS = 1200;

type Point = Partial<RunSample>;

/**
 * Columns from the timeline, merging consecutive points when there are more than `maxPoints`:
 * per-second rates and CPU are averaged; latency, lag, lateness and memory keep the bucket's
 * worst, so a spike stays visible; levels (connections, states, the proof queue) keep the last.
 */
export function timelineColumns(timeline: readonly Point[], maxPoints = MAX_TIMELINE_POINTS): TimelineColumns {
  const size = Math.max(1, Math.ceil(timeline.length / maxPoints));
  const buckets: Point[][] = [];
  for (let i = 0; i < timeline.length; i += size) buckets.push(timeline.slice(i, i + size));
  const hasLatency = timeline.some((p) => p.latencyMs !== undefined);
  const hasLateness = timeline.some((p) => p.timerLatenessP99Ms !== undefined);
  const hasProofs = timeline.some((p) => p.proofs !== undefined);
  const stateNames = [...new Set(timeline.flatMap((p) => Object.keys(p.states ?? {})))].sort();
  const last = (b: Point[]) => b[b.length - 1]!;
  const columns: TimelineColumns = {
    tS: buckets.map((b) => last(b).tS ?? 0),
    publishedPerS: buckets.map((b) => round(mean(b.map((p) => p.publishedPerS)))),
    acceptedPerS: buckets.map((b) => round(mean(b.map((p) => p.acceptedPerS)))),
    connections: buckets.map((b) => last(b).connections ?? 0),
    cpuPercent: buckets.map((b) => round(mean(b.map((p) => p.cpuPercent)))),
    rssMb: buckets.map((b) => round(worst(b.map((p) => p.rssMb)) ?? 0)),
    loopLagP99Ms: buckets.map((b) => round(worst(b.map((p) => p.loopLagP99Ms)) ?? 0)),
    states: Object.fromEntries(stateNames.map((s) => [s, buckets.map((b) => last(b).states?.[s] ?? 0)])),
    latencyMs: hasLatency
      ? {
          p50: buckets.map((b) => roundOrNull(worst(b.map((p) => p.latencyMs?.p50)))),
          p95: buckets.map((b) => roundOrNull(worst(b.map((p) => p.latencyMs?.p95)))),
          p99: buckets.map((b) => roundOrNull(worst(b.map((p) => p.latencyMs?.p99)))),
        }
      : null,
    timerLatenessP99Ms: hasLateness ? buckets.map((b) => roundOrNull(worst(b.map((p) => p.timerLatenessP99Ms)))) : null,
    proofs: hasProofs
      ? { queued: buckets.map((b) => last(b).proofs?.queued ?? 0), proving: buckets.map((b) => last(b).proofs?.proving ?? 0) }
      : null,
    samples: timeline.length,
  };
  return columns;
}

const numbers = (values: ReadonlyArray<number | null | undefined>): number[] => values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

function mean(values: ReadonlyArray<number | null | undefined>): number {
  const xs = numbers(values);
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The largest value, null when there is none (a second with nothing accepted has no latency). */
function worst(values: ReadonlyArray<number | null | undefined>): number | null {
  const xs = numbers(values);
  return xs.length === 0 ? null : Math.max(...xs);
}

/** Two decimals: the charts show no more, and the page is smaller for it. */
const round = (x: number): number => Math.round(x * 100) / 100;
const roundOrNull = (x: number | null): number | null => (x === null ? null : round(x));
