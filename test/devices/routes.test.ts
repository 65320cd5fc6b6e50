import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localFrame } from '../../devices/motion/area.ts';
import { MOTION_PROFILES } from '../../devices/motion/motion-profiles.ts';
import { parseRoute, readRouteFile, type Route } from '../../devices/motion/route-file.ts';
import { createRouteMotion } from '../../devices/motion/route-motion.ts';
import { seededRandom } from '../../devices/random.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const T0 = Date.UTC(2025, 3, 1, 6);

const errorOf = (fn: () => unknown): { code?: string; message: string } => {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected an error');
};

/** Distance in metres from a point to the route's polyline (closing segment included). */
function distanceToRoute(route: Route, lat: number, lon: number): number {
  const frame = localFrame({ minLat: 52.5, maxLat: 52.55, minLon: 13.35, maxLon: 13.45 });
  const px = frame.toX(lon);
  const py = frame.toY(lat);
  const pts = [...route.points, route.points[0]!].map((p) => [frame.toX(p.lon), frame.toY(p.lat)] as const);
  let best = Infinity;
  for (let k = 1; k < pts.length; k++) {
    const [ax, ay] = pts[k - 1]!;
    const [bx, by] = pts[k]!;
    const len2 = (bx - ax) ** 2 + (by - ay) ** 2 || 1;
    const f = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2));
    best = Math.min(best, Math.hypot(px - ax - f * (bx - ax), py - ay - f * (by - ay)));
  }
  return best;
}

describe('route files', () => {
  it('args: a GPX track gives its points and times', () => {
    const route = readRouteFile(fixture('mitte.gpx'));
    expect(route.points).toHaveLength(7);
    expect(route.points[1]).toEqual({ lat: 52.52, lon: 13.406 });
    expect(route.timesMs?.[2]).toBe(Date.UTC(2025, 3, 1, 6, 2));
  });

  it('args: a GPX route of self-closing <rtept> with single-quoted attributes in any order', () => {
    const route = readRouteFile(fixture('mitte-route.gpx'));
    expect(route.points).toEqual([
      { lat: 52.52, lon: 13.4 },
      { lat: 52.52, lon: 13.406 },
      { lat: 52.5235, lon: 13.406 },
      { lat: 52.5235, lon: 13.412 },
    ]);
    expect(route.timesMs).toBeUndefined();
  });

  it('args: the LineString of a GeoJSON FeatureCollection, [lon, lat] order', () => {
    const route = readRouteFile(fixture('mitte.geojson'));
    expect(route.points).toHaveLength(6);
    expect(route.points[0]).toEqual({ lat: 52.52, lon: 13.4 });
    expect(parseRoute('{"type":"LineString","coordinates":[[13.4,52.52],[13.41,52.52]]}', 'inline.json').points).toHaveLength(2);
  });

  it('error: a <trkpt> without lat names the file and line', () => {
    const e = errorOf(() => readRouteFile('test/devices/fixtures/no-lat.gpx'));
    expect(e.code).toBe('ROUTE_FILE_INVALID');
    expect(e.message).toBe('route file test/devices/fixtures/no-lat.gpx: line 12: <trkpt> without lat');
  });

  it.each([
    ['x.gpx', '<gpx>\n<trkpt lat="52.5" lon="abc"/>\n</gpx>', 'route file x.gpx: line 2: <trkpt> lon="abc" is not a number'],
    ['x.gpx', '<gpx>\n<trkpt lat="95" lon="13"/>\n</gpx>', 'route file x.gpx: line 2: latitude 95 is outside [-90, 90]'],
    ['x.gpx', '<gpx>\n<trkpt lat="52" lon="13">\n<time>yesterday</time></trkpt><trkpt lat="52" lon="13"/></gpx>', 'route file x.gpx: line 3: <time>yesterday</time> is not an ISO 8601 time'],
    ['x.gpx', '<gpx>\n<trkpt lat="52" lon="13">\n<trkpt lat="52" lon="13"/></gpx>', 'route file x.gpx: line 2: <trkpt> has no matching </trkpt>'],
    ['x.gpx', '<gpx><trkpt lat="52" lon="13"/></gpx>', 'route file x.gpx: needs at least 2 points, found 1 in <trkpt> elements'],
    ['x.gpx', '<gpx><wpt lat="52" lon="13"/></gpx>', 'route file x.gpx: has no <trkpt> or <rtept> points; export a track or a route'],
    ['x.gpx', '<kml></kml>', 'route file x.gpx: not a GPX document (no <gpx> element); export the route as GPX 1.1 or GeoJSON'],
    ['x.geojson', '{"type":', 'route file x.geojson: not valid JSON'],
    ['x.geojson', '{"type":"Point","coordinates":[13,52]}', 'route file x.geojson: expected a LineString, a Feature or a FeatureCollection, got Point'],
    ['x.geojson', '{"type":"LineString","coordinates":[[13,52],[13]]}', 'route file x.geojson: LineString.coordinates[1] is not a [longitude, latitude] pair: [13]'],
    ['x.txt', 'hello', 'route file x.txt: unknown route format; give a .gpx file or a .geojson file with a LineString'],
  ])('error: %s %j', (file, text, message) => {
    const e = errorOf(() => parseRoute(text, file));
    expect(e.code).toBe('ROUTE_FILE_INVALID');
    expect(e.message.startsWith(message)).toBe(true);
  });

  it('error: a FeatureCollection without a LineString lists what it found', () => {
    expect(errorOf(() => readRouteFile('test/devices/fixtures/points-only.geojson')).message).toBe(
      'route file test/devices/fixtures/points-only.geojson: no LineString in the FeatureCollection (found Point, Polygon); draw the route as a LineString',
    );
  });

  it('error: a missing file', () => {
    expect(errorOf(() => readRouteFile('routes/none.gpx')).message).toBe(
      'route file routes/none.gpx: cannot read it (ENOENT); check the path, which is relative to the working directory',
    );
  });
});

describe('route motion', () => {
  const route = readRouteFile(fixture('mitte.gpx'));

  it.each(['walk', 'bike', 'car'] as const)('behavior: %s follows the route at its profile speed, within GPS noise of the line', (profile) => {
    const { minSpeedMps, maxSpeedMps } = MOTION_PROFILES[profile];
    for (const end of ['loop', 'ping-pong'] as const) {
      const motion = createRouteMotion({ route, profile, startMs: T0, random: seededRandom(7, 'route', 0), end });
      let last = motion.sample(T0);
      const off: number[] = [];
      for (let k = 1; k <= 7200; k++) {
        const fix = motion.sample(T0 + k * 1000);
        off.push(distanceToRoute(route, fix.latitude, fix.longitude));
        expect(distanceToRoute(route, fix.trueLatitude, fix.trueLongitude)).toBeLessThan(0.5);
        if (fix.moving) {
          expect(fix.speedMps).toBeGreaterThanOrEqual(minSpeedMps);
          expect(fix.speedMps).toBeLessThanOrEqual(maxSpeedMps);
        }
        expect(fix.odometerM - last.odometerM).toBeLessThanOrEqual(maxSpeedMps + 1e-9);
        last = fix;
      }
      expect(Math.max(...off)).toBeLessThan(20);
      expect(last.odometerM / 7200).toBeGreaterThan(minSpeedMps * 0.5);
    }
  });

  it('behavior: ping-pong turns round at the ends; a loop closes back to the start; both are deterministic', () => {
    const open: Route = { file: 'line', points: [{ lat: 52.52, lon: 13.4 }, { lat: 52.52, lon: 13.41 }] };
    const run = (end: 'loop' | 'ping-pong'): number[] => {
      const motion = createRouteMotion({ route: open, profile: 'car', startMs: T0, random: seededRandom(3, 'route', 1), end, startOffsetM: 0 });
      return Array.from({ length: 600 }, (_, k) => motion.sample(T0 + k * 1000).trueLatitude);
    };
    const pingPong = run('ping-pong');
    expect(Math.max(...pingPong) - Math.min(...pingPong)).toBeLessThan(1e-9); // along one parallel only
    const loop = run('loop');
    expect(Math.max(...loop) - Math.min(...loop)).toBeLessThan(1e-9);
    expect(run('loop')).toEqual(loop);
  });
});
