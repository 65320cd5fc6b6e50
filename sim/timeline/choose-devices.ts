import { seededRandom } from '../../devices/index.ts';
import type { DeviceSelection } from '../../scenarios/timeline-schema.ts';

/**
 * The devices an event touches, from the scenario's `devices:`. A share is drawn from the seed
 * and the event's place in the timeline (a partial Fisher–Yates shuffle of `pool`), so the same
 * scenario and seed always pick the same devices, and an event added later does not change
 * whom the earlier ones pick. At least one device for a share above 0; the result keeps the
 * pool's order. IMEIs are taken as listed, those not in `pool` left out (the planner has
 * checked that each is in the fleet).
 */
export function chooseDevices(selection: DeviceSelection, pool: readonly string[], seed: number, eventIndex: number): string[] {
  if (selection.kind === 'all') return [...pool];
  if (selection.kind === 'ids') {
    const wanted = new Set(selection.ids);
    return pool.filter((id) => wanted.has(id));
  }
  const count = Math.min(pool.length, Math.max(1, Math.round(selection.share * pool.length)));
  const random = seededRandom(seed, 'timeline', eventIndex);
  const order = pool.map((_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random.next() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const picked = new Set(order.slice(0, count));
  return pool.filter((_, i) => picked.has(i));
}
