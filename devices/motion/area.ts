import { PinbenchError } from '../../core/errors.ts';

/** A bounding box in WGS 84 degrees. */
export interface Area {
  readonly minLat: number;
  readonly maxLat: number;
  readonly minLon: number;
  readonly maxLon: number;
}

/** Central Berlin, about 17 km east–west by 13 km north–south. */
export const BERLIN: Area = { minLat: 52.46, maxLat: 52.58, minLon: 13.25, maxLon: 13.5 };

/** Metres per degree of latitude (mean; the error over a city is far below GPS noise). */
const M_PER_DEG_LAT = 111_320;

/**
 * A local east/north frame in metres with its origin at the box's south-west corner
 * (equirectangular at the box's middle latitude: plenty for city-sized boxes).
 */
export interface LocalFrame {
  readonly area: Area;
  readonly widthM: number;
  readonly heightM: number;
  toLat(yM: number): number;
  toLon(xM: number): number;
  toX(lon: number): number;
  toY(lat: number): number;
}

export function localFrame(area: Area): LocalFrame {
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((((area.minLat + area.maxLat) / 2) * Math.PI) / 180);
  return {
    area,
    widthM: (area.maxLon - area.minLon) * mPerDegLon,
    heightM: (area.maxLat - area.minLat) * M_PER_DEG_LAT,
    toLat: (yM) => area.minLat + yM / M_PER_DEG_LAT,
    toLon: (xM) => area.minLon + xM / mPerDegLon,
    toX: (lon) => (lon - area.minLon) * mPerDegLon,
    toY: (lat) => (lat - area.minLat) * M_PER_DEG_LAT,
  };
}

export function assertArea(area: unknown, option = 'area'): asserts area is Area {
  const a = area as Partial<Area> | null;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const fail = (what: string): never => {
    throw new PinbenchError('CONFIG_INVALID', `option \`${option}\`: ${what}; give { minLat, maxLat, minLon, maxLon } in degrees, e.g. ${JSON.stringify(BERLIN)}`, {
      details: { option, value: area },
    });
  };
  if (typeof a !== 'object' || a === null) return fail(`expected a bounding box, got ${JSON.stringify(area)}`);
  if (![a.minLat, a.maxLat, a.minLon, a.maxLon].every(finite)) return fail('minLat, maxLat, minLon and maxLon must all be finite numbers');
  if (a.minLat! < -85 || a.maxLat! > 85) return fail(`latitudes must lie in [-85, 85], got ${a.minLat}..${a.maxLat}`);
  if (a.minLon! < -180 || a.maxLon! > 180) return fail(`longitudes must lie in [-180, 180], got ${a.minLon}..${a.maxLon}`);
  if (!(a.minLat! < a.maxLat!) || !(a.minLon! < a.maxLon!)) return fail('minLat must be below maxLat and minLon below maxLon');
}
