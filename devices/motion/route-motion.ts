import type { Random } from '../../core/ports.ts';
import { forkRandom, gaussian, uniform } from '../random.ts';
import { localFrame } from './area.ts';
import { DEFAULT_BLOCK_M } from './grid.ts';
import type { MotionModel } from './model.ts';
import { MOTION_PROFILES, type MotionProfile, type MotionProfileName } from './motion-profiles.ts';
import type { Route } from './route-file.ts';
import { DEFAULT_GPS_NOISE_M } from './street-grid.ts';

/** What a device does at the end of a route: turn round, or ride back to the start and go again. */
export type RouteEnd = 'ping-pong' | 'loop';

export interface RouteMotionOptions {
  readonly route: Route;
  readonly profile: MotionProfileName | MotionProfile;
  readonly startMs: number;
  readonly random: Random;
  /** Default 'ping-pong'. A loop whose ends are apart rides the straight line back to the start. */
  readonly end?: RouteEnd;
  /** Where along the route the device starts, in metres; default a random point. */
  readonly startOffsetM?: number;
  readonly gpsNoiseM?: number;
  /** A new speed (and maybe a stop) every this many metres, as at street crossings. */
  readonly stretchM?: number;
}

/**
 * A device following a polyline at its profile's speeds, stopping now and then, with GPS noise.
 * Positions interpolate along segments in a local metric frame (fine for city-sized routes).
 */
export function createRouteMotion(options: RouteMotionOptions): MotionModel {
  const profile = typeof options.profile === 'string' ? MOTION_PROFILES[options.profile] : options.profile;
  const pts = options.route.points;
  const lats = pts.map((p) => p.lat);
  const lons = pts.map((p) => p.lon);
  const frame = localFrame({ minLat: Math.min(...lats) - 0.001, maxLat: Math.max(...lats) + 0.001, minLon: Math.min(...lons) - 0.001, maxLon: Math.max(...lons) + 0.001 });
  const xy = pts.map((p) => [frame.toX(p.lon), frame.toY(p.lat)] as const);
  const end = options.end ?? 'ping-pong';
  if (end === 'loop') {
    const [fx, fy] = xy[0]!;
    const [lx, ly] = xy[xy.length - 1]!;
    if (Math.hypot(fx - lx, fy - ly) > 1) xy.push([fx, fy]);
  }
  const cumulative = [0];
  for (let k = 1; k < xy.length; k++) cumulative.push(cumulative[k - 1]! + Math.hypot(xy[k]![0] - xy[k - 1]![0], xy[k]![1] - xy[k - 1]![1]));
  const lengthM = cumulative[cumulative.length - 1]!;
  const cycleM = end === 'loop' ? lengthM : 2 * lengthM;

  const path = forkRandom(options.random);
  const noise = forkRandom(options.random);
  const noiseM = options.gpsNoiseM ?? DEFAULT_GPS_NOISE_M;
  const stretchM = options.stretchM ?? DEFAULT_BLOCK_M;
  let odometer = 0;
  const offset = options.startOffsetM ?? path.next() * cycleM;
  let speed = uniform(path, profile.minSpeedMps, profile.maxSpeedMps);
  let toStretchM = stretchM;
  let pauseS = 0;
  let lastMs = options.startMs;
  let segment = 0;

  /** Position and direction (unit vector of travel) at cycle distance `d`. */
  const at = (d: number): { x: number; y: number; dx: number; dy: number } => {
    let s = lengthM === 0 ? 0 : ((d % cycleM) + cycleM) % cycleM;
    let sign = 1;
    if (s > lengthM) {
      s = cycleM - s;
      sign = -1;
    }
    // Samples move forward in time, so the segment search starts where the last one ended.
    if (!(cumulative[segment]! <= s && s <= cumulative[segment + 1]!)) {
      segment = 0;
      while (segment < cumulative.length - 2 && cumulative[segment + 1]! < s) segment++;
    }
    const a = xy[segment]!;
    const b = xy[segment + 1] ?? a;
    const len = cumulative[segment + 1]! - cumulative[segment]! || 1;
    const f = Math.min(1, Math.max(0, (s - cumulative[segment]!) / len));
    return { x: a[0] + (b[0] - a[0]) * f, y: a[1] + (b[1] - a[1]) * f, dx: (sign * (b[0] - a[0])) / len, dy: (sign * (b[1] - a[1])) / len };
  };

  const advance = (tMs: number): void => {
    let dt = (tMs - lastMs) / 1000;
    if (dt <= 0) return;
    lastMs = tMs;
    if (speed === 0 || lengthM === 0) return;
    while (dt > 0) {
      if (pauseS > 0) {
        const used = Math.min(pauseS, dt);
        pauseS -= used;
        dt -= used;
        continue;
      }
      const needS = toStretchM / speed;
      if (needS > dt) {
        odometer += speed * dt;
        toStretchM -= speed * dt;
        return;
      }
      odometer += toStretchM;
      dt -= needS;
      toStretchM = stretchM;
      speed = uniform(path, profile.minSpeedMps, profile.maxSpeedMps);
      if (path.next() < profile.stopProbability) pauseS = uniform(path, profile.minStopS, profile.maxStopS);
    }
  };

  return {
    profile: profile.name,
    sample(tMs) {
      advance(tMs);
      const p = at(offset + odometer);
      const moving = speed > 0 && pauseS <= 0 && lengthM > 0;
      const heading = (((Math.atan2(p.dx, p.dy) * 180) / Math.PI) + 360) % 360;
      return {
        latitude: frame.toLat(p.y + gaussian(noise) * noiseM),
        longitude: frame.toLon(p.x + gaussian(noise) * noiseM),
        trueLatitude: frame.toLat(p.y),
        trueLongitude: frame.toLon(p.x),
        speedMps: moving ? speed : 0,
        headingDeg: heading,
        moving,
        odometerM: odometer,
      };
    },
  };
}
