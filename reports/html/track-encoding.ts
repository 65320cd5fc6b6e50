import type { TrackSet } from '../output.ts';

/**
 * The map's tracks as the page carries them. At 10,000 devices, [lon, lat] pairs with seven
 * decimals would be most of the file, so each track is written on a grid of GRID × GRID cells
 * over the bounds, as its first cell and then steps from one point to the next (small
 * integers). At 4,096 cells a cell is below a pixel at the page's widths, even on a 2× screen.
 */
export const GRID = 4096;

export const TRACK_FLAGGED = 1;
export const TRACK_ATTACHED = 2;

export interface EncodedTracks {
  /** [west, south, east, north] in degrees, as in the TrackSet; null when no reading had a position. */
  bounds: [number, number, number, number] | null;
  grid: number;
  profiles: string[];
  /** Per track: [flags (TRACK_FLAGGED | TRACK_ATTACHED), profile index, x0, y0, dx1, dy1, …], y northwards. */
  tracks: number[][];
  /** Ids of the attached devices' tracks, in track order, for the legend. */
  attachedIds: string[];
  readings: number;
  kept: number;
}

export function encodeTracks(set: TrackSet): EncodedTracks {
  const profiles: string[] = [];
  const profileIndex = new Map<string, number>();
  const [west, south, east, north] = set.bounds ?? [0, 0, 0, 0];
  // A box of no width (one stationary device) puts every point in cell 0.
  const cell = (value: number, low: number, high: number) => (high > low ? Math.round(((value - low) / (high - low)) * GRID) : 0);
  const tracks = set.tracks
    .filter((t) => t.points.length > 0)
    .map((t) => {
      if (!profileIndex.has(t.profile)) {
        profileIndex.set(t.profile, profiles.length);
        profiles.push(t.profile);
      }
      const row = [(t.flagged ? TRACK_FLAGGED : 0) | (t.attached ? TRACK_ATTACHED : 0), profileIndex.get(t.profile)!];
      let px = 0;
      let py = 0;
      for (const [lon, lat] of t.points) {
        const x = cell(lon, west, east);
        const y = cell(lat, south, north);
        row.push(x - px, y - py);
        px = x;
        py = y;
      }
      return row;
    });
  return {
    bounds: set.bounds,
    grid: GRID,
    profiles,
    tracks,
    attachedIds: set.tracks.filter((t) => t.attached && t.points.length > 0).map((t) => t.deviceId),
    readings: set.readings,
    kept: set.kept,
  };
}

/** The points back from an encoded track, as grid cells [x, y] (the page's script decodes the same way). */
export function decodeTrack(row: readonly number[]): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  let x = 0;
  let y = 0;
  for (let i = 2; i < row.length; i += 2) {
    x += row[i]!;
    y += row[i + 1]!;
    points.push([x, y]);
  }
  return points;
}
