import { PinbenchError } from '../../core/errors.ts';
import { BERLIN, assertArea, type Area } from './area.ts';

/** A bounding box as scenario files write it, in WGS 84 degrees. */
export interface BoundingBox {
  readonly south: number;
  readonly west: number;
  readonly north: number;
  readonly east: number;
}

/** City centres, each roughly 10–17 km across: enough room for street grids and routes. */
export const CITY_PRESETS = {
  berlin: BERLIN,
  munich: { minLat: 48.09, maxLat: 48.2, minLon: 11.47, maxLon: 11.67 },
  'new-york': { minLat: 40.7, maxLat: 40.8, minLon: -74.02, maxLon: -73.93 },
  singapore: { minLat: 1.27, maxLat: 1.38, minLon: 103.78, maxLon: 103.93 },
  'san-francisco': { minLat: 37.71, maxLat: 37.81, minLon: -122.51, maxLon: -122.39 },
  london: { minLat: 51.47, maxLat: 51.55, minLon: -0.2, maxLon: 0 },
  tokyo: { minLat: 35.64, maxLat: 35.72, minLon: 139.69, maxLon: 139.8 },
} as const satisfies Record<string, Area>;

export type CityName = keyof typeof CITY_PRESETS;
export const CITY_NAMES = Object.keys(CITY_PRESETS) as CityName[];

/** What a scenario may give as its area: a city name, `{ south, west, north, east }` or an `Area`. */
export type AreaInput = string | BoundingBox | Area;

/** Resolves and validates an area once, at the boundary. */
export function resolveArea(input: AreaInput, option = 'area'): Area {
  if (typeof input === 'string') {
    const preset = (CITY_PRESETS as Record<string, Area>)[input];
    if (preset === undefined) {
      throw new PinbenchError(
        'CONFIG_INVALID',
        `option \`${option}\`: unknown city ${JSON.stringify(input)}; use one of ${CITY_NAMES.join(', ')}, or a bounding box { south, west, north, east }`,
        { details: { option, value: input, valid: CITY_NAMES } },
      );
    }
    return preset;
  }
  const box = input as Partial<BoundingBox> | null;
  if (typeof box === 'object' && box !== null && 'south' in box) {
    const area = { minLat: box.south, maxLat: box.north, minLon: box.west, maxLon: box.east };
    assertArea(area, option);
    return Object.freeze(area);
  }
  assertArea(input, option);
  return input;
}
