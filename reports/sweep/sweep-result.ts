/**
 * What `pinbench sweep` writes to sweep.json and what its CSV and HTML are drawn from (issue 20).
 * sim/sweep/ fills it; reports/sweep/ only reads it, so an older sweep.json can be drawn again.
 * Numbers are plain JS numbers: the sweep runs the Float64 twin of the reward rule
 * (core/reward-policy/rewards-fast.ts), within 1 gwei of the exact rule per device-epoch.
 */

/** Mean and spread of one metric over a parameter set's seeds. */
export interface MetricSummary {
  readonly mean: number;
  /** Sample standard deviation over the seeds (0 with one seed). */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
}

export interface SweepMetricInfo {
  /** Key in SweepSetResult.metrics, e.g. `gini`, `honestReward.commuter`, `adversaryReward.teleporter`. */
  readonly name: string;
  /** Short human label for charts and tables. */
  readonly label: string;
  /** What the value is measured in: `tokens`, `share`, `tokens/km`, … */
  readonly unit: string;
  readonly description: string;
}

export interface SweepSetResult {
  /** Position in the grid, 0-based, in the order the sets were run. */
  readonly id: number;
  /** Axis name → the value as the user gave it on --grid. */
  readonly params: Readonly<Record<string, string>>;
  /** `cap=50,emission=1000`: what `pinbench run <scenario> --params <label>` takes. */
  readonly label: string;
  readonly metrics: Readonly<Record<string, MetricSummary>>;
}

export interface SweepObjectiveResult {
  /** As given: `max honestShare s.t. gini < 0.4`. */
  readonly text: string;
  /** The best feasible set's id; undefined when no set meets the constraints. */
  readonly bestSetId?: number;
  /** How many sets met the constraints (on their means). */
  readonly feasibleSets: number;
}

export interface SweepResult {
  readonly kind: 'pinbench-sweep';
  readonly formatVersion: 1;
  readonly createdAt: string;
  readonly scenario: { readonly name: string; readonly path: string; readonly hash: string; readonly devices: number; readonly epochs: number };
  readonly axes: readonly { readonly name: string; readonly values: readonly string[] }[];
  readonly seeds: readonly number[];
  readonly metrics: readonly SweepMetricInfo[];
  readonly sets: readonly SweepSetResult[];
  readonly objective?: SweepObjectiveResult;
  /** The calibration the fast model drew from, and its error against a full run of another seed. */
  readonly calibration: {
    readonly key: string;
    readonly devicesPerProfile: number;
    /** worstRelative of sim/sweep/calibration-error.ts, or undefined when no full run was compared. */
    readonly worstRelativeError?: number;
    readonly note: string;
  };
  readonly timing: { readonly deviceEpochs: number; readonly wallMs: number; readonly deviceEpochsPerSecond: number; readonly workers: number };
}
