import { PinbenchError } from '../../core/errors.ts';

export type MotionProfileName = 'stationary' | 'walk' | 'bike' | 'car';

/** How a device moves along streets; a speed is drawn per block, a stop may follow a crossing. */
export interface MotionProfile {
  readonly name: MotionProfileName;
  readonly minSpeedMps: number;
  readonly maxSpeedMps: number;
  /** Chance of stopping at a crossing (traffic lights, a shop, a red light for cars). */
  readonly stopProbability: number;
  readonly minStopS: number;
  readonly maxStopS: number;
}

export const MOTION_PROFILES: Readonly<Record<MotionProfileName, MotionProfile>> = {
  stationary: { name: 'stationary', minSpeedMps: 0, maxSpeedMps: 0, stopProbability: 0, minStopS: 0, maxStopS: 0 },
  walk: { name: 'walk', minSpeedMps: 1.1, maxSpeedMps: 1.7, stopProbability: 0.05, minStopS: 5, maxStopS: 60 },
  bike: { name: 'bike', minSpeedMps: 4, maxSpeedMps: 6, stopProbability: 0.15, minStopS: 5, maxStopS: 30 },
  car: { name: 'car', minSpeedMps: 8, maxSpeedMps: 16, stopProbability: 0.35, minStopS: 10, maxStopS: 60 },
};

export const MOTION_PROFILE_NAMES = Object.keys(MOTION_PROFILES) as MotionProfileName[];

/** A single profile for every device, or weights of a mix (`{ walk: 3, car: 1 }`). */
export type MotionMix = MotionProfileName | Partial<Record<MotionProfileName, number>>;

export const DEFAULT_MOTION_MIX: MotionMix = { stationary: 1, walk: 2, bike: 1, car: 1 };

/** Validates a mix once and returns a picker from a uniform draw in [0, 1). */
export function motionPicker(mix: MotionMix, option = 'motion'): (u: number) => MotionProfileName {
  const fail = (what: string): never => {
    throw new PinbenchError(
      'CONFIG_INVALID',
      `option \`${option}\`: ${what}; use one of ${MOTION_PROFILE_NAMES.join(', ')} or weights such as { "walk": 3, "car": 1 }`,
      { details: { option, value: mix } },
    );
  };
  if (typeof mix === 'string') {
    if (!(mix in MOTION_PROFILES)) return fail(`unknown profile ${JSON.stringify(mix)}`);
    return () => mix;
  }
  if (typeof mix !== 'object' || mix === null) return fail(`expected a profile name or weights, got ${JSON.stringify(mix)}`);
  const entries: Array<[MotionProfileName, number]> = [];
  for (const [name, weight] of Object.entries(mix)) {
    if (!(name in MOTION_PROFILES)) return fail(`unknown profile ${JSON.stringify(name)}`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      return fail(`weight of ${name} must be a finite number ≥ 0, got ${JSON.stringify(weight)}`);
    }
    if (weight > 0) entries.push([name as MotionProfileName, weight]);
  }
  if (entries.length === 0) return fail('at least one weight must be positive');
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  return (u) => {
    let acc = 0;
    for (const [name, weight] of entries) {
      acc += weight / total;
      if (u < acc) return name;
    }
    return entries[entries.length - 1]![0];
  };
}
