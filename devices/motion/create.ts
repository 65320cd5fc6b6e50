import type { Random } from '../../core/ports.ts';
import { forkRandom } from '../random.ts';
import type { Area } from './area.ts';
import { withDropouts } from './dropouts.ts';
import type { GeoPoint } from './grid.ts';
import type { MotionModel } from './model.ts';
import type { MotionProfileName } from './motion-profiles.ts';
import type { Route } from './route-file.ts';
import { createRouteMotion, type RouteEnd } from './route-motion.ts';
import { createStreetGridMotion } from './street-grid.ts';

export interface MotionOptions {
  readonly area: Area;
  readonly profile: MotionProfileName;
  readonly start: GeoPoint;
  readonly startMs: number;
  readonly random: Random;
  /** Follow this route instead of the street grid. */
  readonly route?: Route;
  readonly routeEnd?: RouteEnd;
  readonly gpsNoiseM?: number;
  /** GPS fix losses; none unless given. */
  readonly dropouts?: { readonly perHour?: number; readonly durationS?: readonly [number, number] };
}

/** The motion of one device: street grid or route, with optional fix dropouts. */
export function createMotion(options: MotionOptions): MotionModel {
  const pathRandom = forkRandom(options.random);
  const dropoutRandom = forkRandom(options.random);
  const base = options.route
    ? createRouteMotion({
        route: options.route,
        profile: options.profile,
        startMs: options.startMs,
        random: pathRandom,
        ...(options.routeEnd ? { end: options.routeEnd } : {}),
        ...(options.gpsNoiseM !== undefined ? { gpsNoiseM: options.gpsNoiseM } : {}),
      })
    : createStreetGridMotion({
        area: options.area,
        profile: options.profile,
        start: options.start,
        startMs: options.startMs,
        random: pathRandom,
        ...(options.gpsNoiseM !== undefined ? { gpsNoiseM: options.gpsNoiseM } : {}),
      });
  return options.dropouts ? withDropouts(base, { random: dropoutRandom, startMs: options.startMs, ...options.dropouts }) : base;
}
