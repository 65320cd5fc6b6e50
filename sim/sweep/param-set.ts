import { parseAxisValue, type RewardPolicy } from '../../core/reward-policy/index.ts';
import { PinbenchError } from '../../core/errors.ts';
import type { Scenario } from '../../scenarios/index.ts';
import { setPolicy } from './sweep-grid.ts';

const EXAMPLE = 'cap=50,emission=1000 (a set\'s label in sweep.json or sweep.csv)';

/**
 * A parameter set's label, `name=value,name=value` as the sweep prints it, back into its
 * values; each name and value checked as --grid checks them (axes.ts), an axis given twice refused.
 */
export function parseParamSet(label: string): Record<string, string> {
  const text = label.trim();
  if (text === '') throw new PinbenchError('POLICY_AXIS_INVALID', `--params: no parameters given; expected name=value,… such as ${EXAMPLE}`);
  const params: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (name === '' || value === '') throw new PinbenchError('POLICY_AXIS_INVALID', `--params ${text}: \`${part}\` is not name=value; expected e.g. ${EXAMPLE}`);
    if (name in params) throw new PinbenchError('POLICY_AXIS_INVALID', `--params ${text}: ${name} is given twice; give each parameter once`);
    parseAxisValue(name, value);
    params[name] = value;
  }
  return params;
}

/**
 * The scenario's policy with the set applied and validated against its epochs, as the sweep
 * computed that set: what `pinbench run <scenario> --params <label>` pays by.
 */
export function paramSetPolicy(scenario: Scenario, label: string): RewardPolicy {
  const params = parseParamSet(label);
  return setPolicy(scenario.policy, { params, label: label.trim() }, sweepPolicyContext(scenario, scenario.epochs.count));
}

/** The scenario with its policy replaced by the set's. */
export function applyParamSet(scenario: Scenario, label: string): Scenario {
  return { ...scenario, policy: paramSetPolicy(scenario, label) };
}

/** Epochs per year of the scenario's epoch length (for yearlyDecay on a non-decay emission): 365 for daily epochs. */
export function sweepPolicyContext(scenario: Scenario, epochs: number): { epochs: number; readingsPerDevice: number; epochsPerYear: number } {
  return { epochs, readingsPerDevice: scenario.circuit.readingsPerDevice, epochsPerYear: Math.max(1, Math.round((365 * 86_400) / scenario.epochs.lengthS)) };
}
