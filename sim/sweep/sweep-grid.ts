import { applyAxes, formatParamSet, parseGridAxis, validatePolicy, type AxisContext, type RewardPolicy } from '../../core/reward-policy/index.ts';
import { PinbenchError } from '../../core/errors.ts';
import type { Scenario } from '../../scenarios/index.ts';

/** One axis of the grid as given: `--grid cap=50,100,200` → { name: 'cap', values: ['50', '100', '200'] }. */
export interface GridAxis {
  readonly name: string;
  readonly values: readonly string[];
}

/** One point of the grid: its position, the value of each axis as text, and its label. */
export interface ParamSet {
  readonly id: number;
  readonly params: Readonly<Record<string, string>>;
  /** `cap=50,emission=1000`, axes in the order given (core/reward-policy/param-set.ts formatParamSet): what `run --params` takes. */
  readonly label: string;
}

export const GRID_EXAMPLE = '--grid cap=50,100,200 --grid emission=1000,2000';

/** Every `--grid` flag, each checked by core/reward-policy/axes.ts; refuses none given and an axis given twice. */
export function parseGrid(flags: readonly string[]): GridAxis[] {
  if (flags.length === 0) throw new PinbenchError('POLICY_AXIS_INVALID', `--grid: no grid given; name at least one policy parameter and its values, e.g. ${GRID_EXAMPLE}`);
  const axes: GridAxis[] = [];
  for (const flag of flags) {
    const axis = parseGridAxis(flag);
    if (axes.some((a) => a.name === axis.name)) {
      throw new PinbenchError('POLICY_AXIS_INVALID', `--grid ${axis.name}: the axis is given twice; give all its values in one --grid ${axis.name}=v1,v2,…`);
    }
    axes.push(axis);
  }
  return axes;
}

/**
 * The cartesian product of the axes, the LAST axis varying fastest (as nested loops written in
 * the order given): cap=50,100 × emission=1,2 → (50,1) (50,2) (100,1) (100,2).
 */
export function gridSets(axes: readonly GridAxis[]): ParamSet[] {
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  const sets: ParamSet[] = [];
  for (let id = 0; id < count; id++) {
    let rest = id;
    const picked: string[] = new Array(axes.length);
    for (let a = axes.length - 1; a >= 0; a--) {
      const values = axes[a]!.values;
      picked[a] = values[rest % values.length]!;
      rest = Math.floor(rest / values.length);
    }
    const params: Record<string, string> = {};
    axes.forEach((axis, a) => { params[axis.name] = picked[a]!; });
    sets.push({ id, params, label: formatParamSet(params) });
  }
  return sets;
}

/** What a set's policy is checked against: the scenario's epochs (supply), K (minSamples), and the devices a stake bonds (supply). */
export interface SetPolicyContext extends AxisContext {
  readonly epochs: number;
  readonly readingsPerDevice: number;
  readonly devices?: number;
}

/**
 * The context `pinbench run --params` checks a set's policy in (sim/run/run-policy.ts withParamSet),
 * over the sweep's epochs: epochs per year of the scenario's epoch length (365 for daily epochs,
 * for yearlyDecay on another emission), K for minSamples.
 */
export function sweepPolicyContext(scenario: Scenario, epochs: number, devices?: number): SetPolicyContext {
  return {
    epochs, readingsPerDevice: scenario.circuit.readingsPerDevice, epochsPerYear: Math.max(1, Math.round((365 * 86_400) / scenario.epochs.lengthS)),
    ...(devices === undefined ? {} : { devices }),
  };
}

/**
 * The base policy with the set's axes applied and then validated as a whole (emission over
 * `epochs` within maxSupply, …). A problem names the set, so a grid of 100 says which point.
 */
export function setPolicy(base: RewardPolicy, set: Pick<ParamSet, 'params' | 'label'>, context: SetPolicyContext): RewardPolicy {
  try {
    return validatePolicy(applyAxes(base, set.params, context), {
      epochs: context.epochs, readingsPerDevice: context.readingsPerDevice, ...(context.devices === undefined ? {} : { devices: context.devices }),
    });
  } catch (error) {
    if (error instanceof PinbenchError && error.code === 'POLICY_INVALID') {
      throw new PinbenchError('POLICY_INVALID', `parameter set ${set.label}: ${error.message.split('\n').join('; ')}`);
    }
    throw error;
  }
}

/** Every set's policy, before any work: the first bad set is refused. */
export function gridPolicies(base: RewardPolicy, sets: readonly ParamSet[], context: SetPolicyContext): RewardPolicy[] {
  return sets.map((set) => setPolicy(base, set, context));
}
