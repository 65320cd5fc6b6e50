import { PinbenchError } from '../../core/errors.ts';
import { localFrame, type Area, type LocalFrame } from './area.ts';

export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

export const DEFAULT_BLOCK_M = 150;
/** Streets keep this far from the box edge so that GPS noise rarely needs clamping. */
const EDGE_MARGIN_M = 30;

export interface Grid {
  readonly frame: LocalFrame;
  readonly blockM: number;
  readonly x0: number;
  readonly y0: number;
  /** Number of blocks east–west and north–south; nodes are 0..nx × 0..ny. */
  readonly nx: number;
  readonly ny: number;
}

export function streetGrid(area: Area, blockM: number): Grid {
  const frame = localFrame(area);
  const nx = Math.floor((frame.widthM - 2 * EDGE_MARGIN_M) / blockM);
  const ny = Math.floor((frame.heightM - 2 * EDGE_MARGIN_M) / blockM);
  if (nx < 1 || ny < 1) {
    throw new PinbenchError(
      'CONFIG_INVALID',
      `option \`area\`: ${Math.round(frame.widthM)} m × ${Math.round(frame.heightM)} m is too small for ${blockM} m street blocks; make each side at least ${blockM + 2 * EDGE_MARGIN_M} m`,
      { details: { area, blockM } },
    );
  }
  return { frame, blockM, x0: (frame.widthM - nx * blockM) / 2, y0: (frame.heightM - ny * blockM) / 2, nx, ny };
}

// Headings: 0 east, 1 north, 2 west, 3 south (counter-clockwise, so left is +1).
export const DX = [1, 0, -1, 0] as const;
export const DY = [0, 1, 0, -1] as const;
export const COMPASS = [90, 0, 270, 180] as const;

export const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** The street point nearest to `point` (a start position for a device). */
export function snapToStreets(area: Area, point: GeoPoint, blockM = DEFAULT_BLOCK_M): GeoPoint {
  const grid = streetGrid(area, blockM);
  const edge = edgeAt(grid, grid.frame.toX(point.lon), grid.frame.toY(point.lat));
  return { lat: grid.frame.toLat(edge.y), lon: grid.frame.toLon(edge.x) };
}

export function edgeAt(grid: Grid, x: number, y: number): { x: number; y: number; vertical: boolean } {
  const { x0, y0, blockM, nx, ny } = grid;
  const xi = x0 + clamp(Math.round((x - x0) / blockM), 0, nx) * blockM;
  const yj = y0 + clamp(Math.round((y - y0) / blockM), 0, ny) * blockM;
  const cx = clamp(x, x0, x0 + nx * blockM);
  const cy = clamp(y, y0, y0 + ny * blockM);
  return Math.abs(x - xi) <= Math.abs(y - yj) ? { x: xi, y: cy, vertical: true } : { x: cx, y: yj, vertical: false };
}
