import type { Random } from '../../core/ports.ts';
import { forkRandom, uniform } from '../random.ts';
import type { MotionModel } from './model.ts';

export interface DropoutOptions {
  readonly random: Random;
  readonly startMs: number;
  /** Mean number of fix losses per hour (Poisson); default 1. */
  readonly perHour?: number;
  /** Length of a loss in seconds, drawn uniformly; default [10, 180]. */
  readonly durationS?: readonly [number, number];
}

/**
 * Loses the GPS fix now and then (tunnels, urban canyons): fixes inside a dropout carry
 * `hasFix: false`. The dropout schedule is a function of time only, drawn from its own stream.
 */
export function withDropouts(model: MotionModel, options: DropoutOptions): MotionModel {
  const random = forkRandom(options.random);
  const perHour = options.perHour ?? 1;
  const [minS, maxS] = options.durationS ?? [10, 180];
  const gapMs = (): number => (-Math.log(1 - random.next()) / perHour) * 3_600_000;
  let fromMs = options.startMs + gapMs();
  let toMs = fromMs + uniform(random, minS, maxS) * 1000;
  return {
    profile: model.profile,
    sample(tMs) {
      const fix = model.sample(tMs);
      if (perHour <= 0) return fix;
      while (tMs >= toMs) {
        fromMs = toMs + gapMs();
        toMs = fromMs + uniform(random, minS, maxS) * 1000;
      }
      return tMs >= fromMs ? { ...fix, hasFix: false } : fix;
    },
  };
}
