import { PinbenchError } from '../errors.ts';
import { applyAxes, parseAxisValue, type AxisContext } from './axes.ts';
import type { RewardPolicy } from './types.ts';

/**
 * One parameter set of a sweep, as a label: `cap=50,emission=1000` (axis=value, joined by
 * commas, in the grid's axis order). `pinbench sweep` names its sets so, and
 * `pinbench run <scenario> --params <label>` takes the same text back.
 */
export function parseParamSet(label: string, flag = '--params'): Record<string, string> {
  const items = label.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new PinbenchError('POLICY_AXIS_INVALID', `${flag}: expected name=value pairs joined by commas, such as cap=50,emission=1000 (a set's label in sweep.csv); got ${JSON.stringify(label)}`);
  const values: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw new PinbenchError('POLICY_AXIS_INVALID', `${flag}: "${item}" is not name=value; give each parameter as name=value, such as cap=50`);
    const name = item.slice(0, eq).trim();
    if (name in values) throw new PinbenchError('POLICY_AXIS_INVALID', `${flag}: ${name} is given twice; give each parameter once`);
    values[name] = item.slice(eq + 1).trim();
  }
  return values;
}

export function formatParamSet(values: Readonly<Record<string, string>>): string {
  return Object.entries(values).map(([name, value]) => `${name}=${value}`).join(',');
}

/** The policy with a set's values applied (axes.ts's applyAxes), errors naming `flag` and the parameter. */
export function applyParamSet(policy: RewardPolicy, label: string, context: AxisContext = {}, flag = '--params'): RewardPolicy {
  const values = parseParamSet(label, flag);
  try {
    for (const [name, text] of Object.entries(values)) parseAxisValue(name, text);
    return applyAxes(policy, values, context);
  } catch (error) {
    if (error instanceof PinbenchError && error.message.startsWith('--grid ')) {
      throw new PinbenchError(error.code, `${flag} ${error.message.slice('--grid '.length)}`);
    }
    throw error;
  }
}
