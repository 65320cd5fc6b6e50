import type { Random } from '../../core/ports.ts';
import type { Range } from './schemas.ts';

/** A value of a `Range`: the number itself, or a uniform draw from [min, max]. */
export function draw(range: Range, random: Random): number {
  return typeof range === 'number' ? range : range[0] + (range[1] - range[0]) * random.next();
}
