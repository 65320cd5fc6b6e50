import type { Random } from '../../core/ports.ts';
import { forkRandom, gaussian, uniform } from '../random.ts';
import type { Area } from './area.ts';
import { COMPASS, DEFAULT_BLOCK_M, DX, DY, clamp, edgeAt, streetGrid, type GeoPoint } from './grid.ts';
import type { MotionModel } from './model.ts';
import { MOTION_PROFILES, type MotionProfile, type MotionProfileName } from './motion-profiles.ts';

export const DEFAULT_GPS_NOISE_M = 3;

export interface StreetGridOptions {
  readonly area: Area;
  readonly profile: MotionProfileName | MotionProfile;
  /** Snapped to the nearest street. */
  readonly start: GeoPoint;
  readonly startMs: number;
  /** Forked into a path stream and a GPS-noise stream, so the track does not depend on when it is sampled. */
  readonly random: Random;
  readonly blockM?: number;
  readonly gpsNoiseM?: number;
}

/**
 * A device moving along axis-aligned streets: a new speed per block, straight on or a turn at
 * each crossing (never leaving the grid), sometimes a stop there.
 */
export function createStreetGridMotion(options: StreetGridOptions): MotionModel {
  const profile = typeof options.profile === 'string' ? MOTION_PROFILES[options.profile] : options.profile;
  const grid = streetGrid(options.area, options.blockM ?? DEFAULT_BLOCK_M);
  const { frame, blockM, x0, y0, nx, ny } = grid;
  const path = forkRandom(options.random);
  const noise = forkRandom(options.random);
  const noiseM = options.gpsNoiseM ?? DEFAULT_GPS_NOISE_M;

  // Walker state: the node the current block starts from, heading, distance into the block.
  const at = edgeAt(grid, frame.toX(options.start.lon), frame.toY(options.start.lat));
  let heading: number = at.vertical ? 1 : 0;
  let i = at.vertical ? Math.round((at.x - x0) / blockM) : clamp(Math.floor((at.x - x0) / blockM), 0, nx - 1);
  let j = at.vertical ? clamp(Math.floor((at.y - y0) / blockM), 0, ny - 1) : Math.round((at.y - y0) / blockM);
  let s = at.vertical ? at.y - (y0 + j * blockM) : at.x - (x0 + i * blockM);
  if (path.next() < 0.5) {
    i += DX[heading]!;
    j += DY[heading]!;
    heading = (heading + 2) % 4;
    s = blockM - s;
  }
  let speed = uniform(path, profile.minSpeedMps, profile.maxSpeedMps);
  let pauseS = 0;
  let odometer = 0;
  let lastMs = options.startMs;

  const inside = (ni: number, nj: number): boolean => ni >= 0 && ni <= nx && nj >= 0 && nj <= ny;

  const cross = (): void => {
    i += DX[heading]!;
    j += DY[heading]!;
    s = 0;
    const straight = heading;
    const left = (heading + 1) % 4;
    const right = (heading + 3) % 4;
    const choices: Array<[number, number]> = [];
    for (const [h, w] of [[straight, 0.6], [left, 0.2], [right, 0.2]] as const) {
      if (inside(i + DX[h]!, j + DY[h]!)) choices.push([h, w]);
    }
    if (choices.length === 0) heading = (heading + 2) % 4;
    else {
      const total = choices.reduce((sum, [, w]) => sum + w, 0);
      let u = path.next() * total;
      heading = choices[choices.length - 1]![0];
      for (const [h, w] of choices) {
        if ((u -= w) < 0) {
          heading = h;
          break;
        }
      }
    }
    speed = uniform(path, profile.minSpeedMps, profile.maxSpeedMps);
    if (path.next() < profile.stopProbability) pauseS = uniform(path, profile.minStopS, profile.maxStopS);
  };

  const advance = (tMs: number): void => {
    let dt = (tMs - lastMs) / 1000;
    if (dt <= 0) return;
    lastMs = tMs;
    if (speed === 0) return;
    while (dt > 0) {
      if (pauseS > 0) {
        const used = Math.min(pauseS, dt);
        pauseS -= used;
        dt -= used;
        continue;
      }
      const toCrossingS = (blockM - s) / speed;
      if (toCrossingS > dt) {
        s += speed * dt;
        odometer += speed * dt;
        return;
      }
      odometer += blockM - s;
      dt -= toCrossingS;
      cross();
    }
  };

  return {
    profile: profile.name,
    sample(tMs) {
      advance(tMs);
      const x = x0 + i * blockM + DX[heading]! * s;
      const y = y0 + j * blockM + DY[heading]! * s;
      const nxM = clamp(x + gaussian(noise) * noiseM, 0, frame.widthM);
      const nyM = clamp(y + gaussian(noise) * noiseM, 0, frame.heightM);
      const moving = speed > 0 && pauseS <= 0;
      return {
        latitude: frame.toLat(nyM),
        longitude: frame.toLon(nxM),
        trueLatitude: frame.toLat(y),
        trueLongitude: frame.toLon(x),
        speedMps: moving ? speed : 0,
        headingDeg: COMPASS[heading]!,
        moving,
        odometerM: odometer,
      };
    },
  };
}
