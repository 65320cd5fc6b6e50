import { formatInUnit, type MetricKind } from '../../core/threshold-expression.ts';
import { findMetric, metricNames } from '../metrics/catalogue.ts';
import type { FleetOnlyReport, RunReport } from '../types.ts';

/** A report `compare` can read: a full run's or a fleet-only run's (report.json). */
export type ComparableReport = RunReport | FleetOnlyReport;

/**
 * Which way is better, by metric name: lower for latencies, resources, costs, losses and
 * refusals; higher for throughput and what was paid. Counts that follow from the scenario
 * (messages published, connects) are neither: a change there is shown, never a regression.
 */
const LOWER_IS_BETTER = [
  /^latency\./, /^connect\./, /^observed\./, /^memory\./, /^cpu\./, /^loopLag\./, /^proofs\.prove\./, /^settlement\./, /^gas\./,
  /^rejected\./, /^messages\.(unaccounted|publishFailed|bufferDropped)$/, /^messages\.(fleet|outside)\.rejected$/, /^auth\.failures$/,
  /^broker\.(refusedConnects|connectionsLost|dropped|takeovers|takeoverFlagged)$/, /^registration\.refused$/, /^checks\.failed$/,
  /^profiles\..+\.flaggedDevices$/,
];
const HIGHER_IS_BETTER = [/^throughput\./, /^messages\.accepted$/, /^messages\.fleet\.accepted$/, /^rewards\.devicesPaid$/, /^proofs\.count$/];

export type Better = 'lower' | 'higher' | 'neither';

export function betterOf(name: string): Better {
  if (LOWER_IS_BETTER.some((p) => p.test(name))) return 'lower';
  if (HIGHER_IS_BETTER.some((p) => p.test(name))) return 'higher';
  return 'neither';
}

export interface ComparisonRow {
  metric: string;
  kind: MetricKind;
  better: Better;
  /** null: that run did not measure it (or its report predates the field). */
  a: number | null;
  b: number | null;
  aText: string;
  bText: string;
  /** (b − a) / a; null when either is missing or a is 0. */
  change: number | null;
  /** The change goes the worse way by more than the tolerance (0 % without one). */
  regression: boolean;
}

export interface Comparison {
  rows: ComparisonRow[];
  /** Sentences about what cannot be compared: different scenarios, modes, metrics only one run has. */
  notes: string[];
}

/**
 * Every metric of the catalogue (reports/metrics/catalogue.ts, the one thresholds read), in run
 * A and run B, with the change and whether it is a regression beyond `tolerance` (0.1 = 10 %).
 * A metric a report cannot give (a fleet-only run, an older report without the field) is shown
 * as missing, not an error.
 */
export function compareReports(a: ComparableReport, b: ComparableReport, options: { tolerance?: number } = {}): Comparison {
  const tolerance = options.tolerance ?? 0;
  const notes: string[] = [];
  if (a.scenario.name !== b.scenario.name || a.scenario.seed !== b.scenario.seed || a.scenario.devices !== b.scenario.devices) {
    notes.push(
      `The runs are of different scenarios (A: ${describe(a)}; B: ${describe(b)}): only the metrics they share are compared, and the counts follow from the scenarios as much as from the change.`,
    );
  }
  if (modeOf(a) !== modeOf(b)) notes.push(`A is a ${modeOf(a)} run and B a ${modeOf(b)} run: the metrics only a full run measures are missing on the fleet-only side.`);
  const context = {
    rejectionReasons: union(rejectionReasonsOf(a), rejectionReasonsOf(b)),
    profiles: union(profilesOf(a), profilesOf(b)),
  };
  const rows: ComparisonRow[] = [];
  for (const metric of metricNames(context)) {
    const found = findMetric(metric, context)!;
    const va = valueOf(a, found);
    const vb = valueOf(b, found);
    if (va === null && vb === null) continue;
    const better = betterOf(metric);
    const change = va === null || vb === null || va === 0 ? null : (vb - va) / Math.abs(va);
    const worse = better === 'lower' ? (vb ?? 0) > (va ?? 0) : better === 'higher' ? (vb ?? 0) < (va ?? 0) : false;
    // From 0 any rise is unbounded: a new loss or refusal is a regression whatever the tolerance.
    const beyond = change === null ? va === 0 && vb !== null && vb !== 0 : Math.abs(change) > tolerance;
    const kind = found.definition.kind;
    rows.push({
      metric, kind, better, a: va, b: vb, aText: text(va, kind), bText: text(vb, kind), change,
      regression: va !== null && vb !== null && worse && beyond,
    });
  }
  return { rows, notes };
}

const modeOf = (r: ComparableReport): 'full' | 'fleet-only' => ('mode' in r && r.mode === 'fleet-only' ? 'fleet-only' : 'full');
const describe = (r: ComparableReport) => `${r.scenario.name}, seed ${r.scenario.seed}, ${r.scenario.devices} devices`;
const union = (x: readonly string[], y: readonly string[]) => [...new Set([...x, ...y])].sort();
/** In the unit a person reads: MiB for sizes, seconds for durations of a second or more. */
const text = (value: number | null, kind: MetricKind) =>
  value === null ? '—' : formatInUnit(value, kind === 'bytes' ? 'MiB' : kind === 'duration' && value >= 1000 ? 's' : null, kind);

function rejectionReasonsOf(r: ComparableReport): string[] {
  const rejected = (r as RunReport).counts?.rejected;
  return rejected !== null && typeof rejected === 'object' ? Object.keys(rejected) : [];
}

function profilesOf(r: ComparableReport): string[] {
  const profiles = (r as RunReport).profiles;
  if (!Array.isArray(profiles)) return [];
  // The names profiles.<profile> takes, as the thresholds know them (catalogue.ts, profileRowsOf).
  return [...new Set(profiles.flatMap((p) => [p.profile, ...(p.adversary === null ? ['honest'] : [p.adversary, 'adversaries'])]))];
}

function valueOf(report: ComparableReport, found: NonNullable<ReturnType<typeof findMetric>>): number | null {
  const read = modeOf(report) === 'fleet-only' ? found.definition.fleetOnly : found.definition.run;
  if (read === undefined) return null;
  try {
    const value = (read as (r: ComparableReport, key: string) => number | null)(report, found.key);
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  } catch {
    // An older report without the field this metric reads.
    return null;
  }
}
