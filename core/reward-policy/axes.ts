import { closestNames } from '../closest-names.ts';
import { PinbenchError } from '../errors.ts';
import { initialEmissionWei } from './emission.ts';
import { BPS, MAX_H3_RESOLUTION } from './policy.ts';
import { FLAG_PENALTIES, type FlagPenalty, type RewardPolicy } from './types.ts';

/**
 * Every policy parameter as a sweep grid axis (`--grid cap=50,100,200`). Token amounts are given
 * in TOKENS (emission=1000 is 1000 tokens = 1000e18 wei); counts and units as whole numbers.
 * applyAxes applies the axes of one parameter set in the order of POLICY_AXES, so an axis that
 * needs another (halvingEvery needs an amount, slash needs a stake) sees it already set.
 */

export type AxisValue = bigint | number | string;

interface AxisSpec {
  readonly name: string;
  /** What a value is measured in, for the axis list. */
  readonly unit: string;
  /** The values allowed, for the axis list. */
  readonly range: string;
  readonly description: string;
  /** A value from its text, or a reason it is out of range. */
  parse(text: string): AxisValue | { invalid: string };
  /** The policy with the value applied, or a reason it cannot take it. */
  apply(policy: RewardPolicy, value: AxisValue, context: AxisContext): RewardPolicy | { invalid: string };
}

export interface AxisContext {
  /** Used when yearlyDecay turns another emission into a decay: epochs in a year of the scenario (e.g. 365 for daily epochs). */
  readonly epochsPerYear?: number;
}

export interface PolicyAxisInfo {
  readonly name: string;
  readonly unit: string;
  readonly range: string;
  readonly description: string;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e\+?(\d+))?$/i;

/** Exact wei of a decimal token amount ("1000", "0.5", "1e3"); undefined if it is not one or has a fraction of a wei. */
export function tokensToWei(text: string): bigint | undefined {
  const m = DECIMAL.exec(text.trim());
  if (m === null) return undefined;
  const [, whole, fraction = '', exponent = '0'] = m;
  const digits = BigInt(whole! + fraction);
  const scale = 18 + Number(exponent) - fraction.length;
  if (scale >= 0) return digits * 10n ** BigInt(scale);
  const divisor = 10n ** BigInt(-scale);
  return digits % divisor === 0n ? digits / divisor : undefined;
}

const tokens = (min: bigint, what: string) => (text: string): AxisValue | { invalid: string } => {
  const wei = tokensToWei(text);
  if (wei === undefined) return { invalid: `expected an amount in tokens such as 1000 or 0.5, got ${text}` };
  if (wei < min) return { invalid: `expected ${what}, got ${text}` };
  return wei;
};

const whole = (min: number, max: number) => (text: string): AxisValue | { invalid: string } => {
  const v = Number(text);
  if (!/^\s*\d+(e\+?\d+)?\s*$/i.test(text) || !Number.isSafeInteger(v) || v < min || v > max) return { invalid: `expected a whole number in [${min}, ${max}], got ${text}` };
  return v;
};

const noAmount = (name: string) => ({ invalid: `${name} needs a per-epoch emission, and the policy pays a rate (reward.rewardPerUnitWei per unit); add --grid emission=<tokens> or give policy.emission in the scenario` });
const needsCoverage = { invalid: 'the policy has no coverage; give policy.coverage (resolution, unitsPerCell, densityTarget) in the scenario' };

const AXES: readonly AxisSpec[] = [
  {
    name: 'emission', unit: 'tokens per epoch', range: '> 0, whole gwei (at most 9 decimals)',
    description: 'The per-epoch emission whatever its kind: constant perEpochWei, halving or decay initialWei; a rate policy becomes constant.',
    parse: (text) => {
      const wei = tokens(1n, 'a positive amount of tokens')(text);
      if (typeof wei === 'bigint' && wei % 10n ** 9n !== 0n) return { invalid: `expected a whole number of gwei (at most 9 decimals: the contract accrues gwei), got ${text}` };
      return wei;
    },
    apply: (p, v) => {
      const wei = v as bigint;
      const e = p.emission;
      if (e.kind === 'rate' || e.kind === 'constant') return { ...p, emission: { kind: 'constant', perEpochWei: wei } };
      return { ...p, emission: { ...e, initialWei: wei } };
    },
  },
  {
    name: 'rewardPerUnit', unit: 'tokens per unit', range: '≥ 0, whole wei (at most 18 decimals)',
    description: 'A rate emission (today\'s rule, no pro rata): each unit pays this.',
    parse: tokens(0n, 'an amount of tokens ≥ 0'),
    apply: (p, v) => ({ ...p, emission: { kind: 'rate', rewardPerUnitWei: v as bigint } }),
  },
  {
    name: 'halvingEvery', unit: 'epochs', range: '1 … 2^53',
    description: 'Halve the emission every N epochs (from its current per-epoch amount).',
    parse: whole(1, Number.MAX_SAFE_INTEGER),
    apply: (p, v) => {
      const initialWei = initialEmissionWei(p.emission);
      if (initialWei === undefined) return noAmount('halvingEvery');
      return { ...p, emission: { kind: 'halving', initialWei, everyEpochs: v as number } };
    },
  },
  {
    name: 'yearlyDecay', unit: 'fraction per year', range: '[0, 1)',
    description: 'Decay the emission by this fraction a year (from its current per-epoch amount), applied per epoch.',
    parse: (text) => {
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v) || v < 0 || v >= 1) return { invalid: `expected a fraction in [0, 1) (0.2 = a fifth less each year), got ${text}` };
      return v;
    },
    apply: (p, v, context) => {
      const initialWei = initialEmissionWei(p.emission);
      if (initialWei === undefined) return noAmount('yearlyDecay');
      const epochsPerYear = p.emission.kind === 'decay' ? p.emission.epochsPerYear : context.epochsPerYear ?? 365;
      return { ...p, emission: { kind: 'decay', initialWei, yearlyDecay: v as number, epochsPerYear } };
    },
  },
  {
    name: 'epochsPerYear', unit: 'epochs', range: '1 … 31536000',
    description: 'The epochs in a year of a decay emission.',
    parse: whole(1, 31_536_000),
    apply: (p, v) => (p.emission.kind === 'decay' ? { ...p, emission: { ...p.emission, epochsPerYear: v as number } } : { invalid: 'applies to a decay emission; add --grid yearlyDecay=<fraction> or give policy.emission.kind: decay' }),
  },
  {
    name: 'unitsPerSample', unit: 'units per counted reading', range: '0 … 4294967295',
    description: 'Units a counted reading earns.',
    parse: whole(0, 0xffff_ffff),
    apply: (p, v) => ({ ...p, unitsPerSample: BigInt(v) }),
  },
  {
    name: 'maxStepE7', unit: '1e-7 degree', range: '0 … 4294967295',
    description: 'The cap on one step\'s Manhattan distance that still earns.',
    parse: whole(0, 0xffff_ffff),
    apply: (p, v) => ({ ...p, maxStepE7: BigInt(v) }),
  },
  {
    name: 'coverageResolution', unit: 'h3 resolution', range: `0 … ${MAX_H3_RESOLUTION}`,
    description: 'The h3 resolution of coverage cells (the cells are recomputed at it).',
    parse: whole(0, MAX_H3_RESOLUTION),
    apply: (p, v) => (p.coverage === undefined ? needsCoverage : { ...p, coverage: { ...p.coverage, resolution: v as number } }),
  },
  {
    name: 'coverageWeight', unit: 'units per cell', range: '1 … 4294967295',
    description: 'Units a coverage cell pays each of its devices up to the density target.',
    parse: whole(1, 0xffff_ffff),
    apply: (p, v) => (p.coverage === undefined ? needsCoverage : { ...p, coverage: { ...p.coverage, unitsPerCell: BigInt(v) } }),
  },
  {
    name: 'densityTarget', unit: 'devices per cell', range: '1 … 1000000',
    description: 'Devices a cell pays in full; above it each gets unitsPerCell · target / n.',
    parse: whole(1, 1_000_000),
    apply: (p, v) => (p.coverage === undefined ? needsCoverage : { ...p, coverage: { ...p.coverage, densityTarget: v as number } }),
  },
  {
    name: 'cap', unit: 'units per device-epoch', range: '1 … 2^40 − 1',
    description: 'A device-epoch\'s units are at most this.',
    parse: whole(1, 2 ** 40 - 1),
    apply: (p, v) => ({ ...p, capUnits: BigInt(v) }),
  },
  {
    name: 'minSamples', unit: 'counted readings', range: '1 … 15 (at most circuit.readingsPerDevice)',
    description: 'Fewer counted readings in an epoch earn nothing.',
    parse: whole(1, 15),
    apply: (p, v) => ({ ...p, minSamples: v as number }),
  },
  {
    name: 'flagPenalty', unit: 'reading | epoch', range: FLAG_PENALTIES.join(', '),
    description: '`reading`: a flagged reading earns nothing; `epoch`: any flagged reading zeroes the device-epoch.',
    parse: (text) => (FLAG_PENALTIES.includes(text.trim() as FlagPenalty) ? text.trim() : { invalid: `expected one of: ${FLAG_PENALTIES.join(', ')}, got ${text}` }),
    apply: (p, v) => ({ ...p, flagPenalty: v as FlagPenalty }),
  },
  {
    name: 'stake', unit: 'tokens per device', range: '> 0',
    description: 'Each device\'s stake (with slash 0 until a slash axis or policy.stake.slashBps sets it).',
    parse: tokens(1n, 'a positive amount of tokens'),
    apply: (p, v) => ({ ...p, stake: { perDeviceWei: v as bigint, slashBps: p.stake?.slashBps ?? 0 } }),
  },
  {
    name: 'slash', unit: 'basis points of the stake left', range: `0 … ${BPS}`,
    description: 'What a flagged device-epoch slashes of its stake left.',
    parse: whole(0, BPS),
    apply: (p, v) => (p.stake === undefined ? { invalid: 'the policy has no stake; add --grid stake=<tokens> or give policy.stake in the scenario' } : { ...p, stake: { ...p.stake, slashBps: v as number } }),
  },
  {
    name: 'maxSupply', unit: 'tokens', range: '> 0, at most (2^63 − 1) gwei',
    description: 'The token supply the scheduled emission over the run may not exceed.',
    parse: tokens(1n, 'a positive amount of tokens'),
    apply: (p, v) => ({ ...p, maxSupplyWei: v as bigint }),
  },
];

const BY_NAME = new Map(AXES.map((axis) => [axis.name, axis]));

/** The axes, in the order applyAxes applies them, with units and ranges (for `--help` and docs). */
export const POLICY_AXES: readonly PolicyAxisInfo[] = AXES.map(({ name, unit, range, description }) => ({ name, unit, range, description }));
export const POLICY_AXIS_NAMES: readonly string[] = AXES.map((axis) => axis.name);

function axisError(message: string): PinbenchError {
  return new PinbenchError('POLICY_AXIS_INVALID', message);
}

function axisNamed(name: string): AxisSpec {
  const axis = BY_NAME.get(name);
  if (axis !== undefined) return axis;
  const near = closestNames(name, POLICY_AXIS_NAMES, 1);
  const hint = near.length > 0 ? `did you mean ${near[0]}?` : `the axes are: ${POLICY_AXIS_NAMES.join(', ')}`;
  throw axisError(`--grid ${name}: no policy parameter is named ${name}; ${hint}`);
}

/** A value of axis `name` from its text; refuses an unknown name or a value out of range. */
export function parseAxisValue(name: string, text: string): AxisValue {
  const value = axisNamed(name).parse(text);
  if (typeof value === 'object' && value !== null) throw axisError(`--grid ${name}: ${value.invalid}`);
  return value;
}

/** The policy with one axis set to `value`: text or a number as on the command line (tokens for amounts), or wei as a bigint. */
export function applyAxis(policy: RewardPolicy, name: string, value: AxisValue, context: AxisContext = {}): RewardPolicy {
  const axis = axisNamed(name);
  const parsed = typeof value === 'bigint' ? value : parseAxisValue(name, String(value));
  const result = axis.apply(policy, parsed, context);
  if ('invalid' in result) throw axisError(`--grid ${name}: ${result.invalid}`);
  return result;
}

/** The policy with one parameter set's axes applied in POLICY_AXES order (not the order given). */
export function applyAxes(policy: RewardPolicy, values: Readonly<Record<string, AxisValue>>, context: AxisContext = {}): RewardPolicy {
  for (const name of Object.keys(values)) axisNamed(name);
  return AXES.reduce((p, axis) => (axis.name in values ? applyAxis(p, axis.name, values[axis.name]!, context) : p), policy);
}

/** The largest number of values one axis may list or a range may make. */
export const MAX_AXIS_VALUES = 10_000;

/**
 * `name=v1,v2,…` or `name=from..to:step` (from, to inclusive) → the axis and its values, as text,
 * each checked against the axis's range. A range's values are from + i·step, printed with 12
 * significant digits so 0.1..0.3:0.1 gives 0.1, 0.2, 0.3.
 */
export function parseGridAxis(text: string): { name: string; values: string[] } {
  const eq = text.indexOf('=');
  const name = (eq < 0 ? text : text.slice(0, eq)).trim();
  if (name === '') throw axisError(`--grid ${text}: expected name=values such as cap=50,100,200 or cap=50..200:50`);
  axisNamed(name);
  const body = eq < 0 ? '' : text.slice(eq + 1).trim();
  const values = body.includes('..') ? rangeValues(name, body) : body.split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) throw axisError(`--grid ${name}: no values; give a list such as ${name}=1,2,3 or a range from..to:step`);
  if (values.length > MAX_AXIS_VALUES) throw axisError(`--grid ${name}: ${values.length} values, more than ${MAX_AXIS_VALUES}; use fewer or a larger step`);
  if (new Set(values).size !== values.length) throw axisError(`--grid ${name}: a value is listed twice (${values.join(',')}); list each once`);
  for (const v of values) parseAxisValue(name, v);
  return { name, values };
}

function rangeValues(name: string, body: string): string[] {
  const m = /^([^.:]+(?:\.\d+)?)\.\.([^:]+)(?::(.+))?$/.exec(body);
  const [from, to, step] = m === null ? [NaN, NaN, NaN] : [Number(m[1]), Number(m[2]), Number(m[3] ?? NaN)];
  if (m === null || !Number.isFinite(from) || !Number.isFinite(to) || m[3] === undefined) {
    throw axisError(`--grid ${name}=${body}: expected a range from..to:step such as ${name}=50..200:50`);
  }
  if (!Number.isFinite(step) || step <= 0) throw axisError(`--grid ${name}=${body}: the step must be a positive number, got ${m[3]}`);
  if (from > to) throw axisError(`--grid ${name}=${body}: the range starts above its end (${from} > ${to}); write it from..to with from ≤ to`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_AXIS_VALUES) throw axisError(`--grid ${name}=${body}: makes ${count} values, more than ${MAX_AXIS_VALUES}; use a larger step`);
  return Array.from({ length: count }, (_, i) => String(Number((from + i * step).toPrecision(12))));
}
