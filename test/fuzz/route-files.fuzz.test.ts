import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../devices/motion/route-file.ts';
import { fuzzOptions, valueOrPinbenchError } from './fuzz-support.ts';

const lat = fc.double({ min: -95, max: 95, noNaN: true });
const lon = fc.double({ min: -185, max: 185, noNaN: true });
const time = fc.oneof(fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 10 }));

const gpxPoint = fc
  .tuple(fc.constantFrom('trkpt', 'rtept', 'wpt'), lat, lon, fc.option(time, { nil: undefined }), fc.boolean())
  .map(([el, la, lo, t, closed]) => `<${el} lat="${la}" lon="${lo}">${t === undefined ? '' : `<time>${t}</time>`}${closed ? `</${el}>` : ''}`);

const gpxDoc = fc
  .array(gpxPoint, { maxLength: 6 })
  .map((points) => `<?xml version="1.0"?>\n<gpx version="1.1"><trk><trkseg>\n${points.join('\n')}\n</trkseg></trk></gpx>`);

const coordinate = fc.oneof(fc.tuple(lon, lat), fc.jsonValue({ maxDepth: 1 }));
const lineString = fc.array(coordinate, { maxLength: 6 }).map((coordinates) => ({ type: 'LineString', coordinates }));
const geoJsonDoc = fc.oneof(
  lineString,
  lineString.map((geometry) => ({ type: 'Feature', geometry, properties: {} })),
  fc.array(fc.oneof(lineString.map((geometry) => ({ type: 'Feature', geometry })), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 }).map((features) => ({ type: 'FeatureCollection', features })),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Text near a valid document: truncated, or with a few characters overwritten. */
const mutated = (doc: fc.Arbitrary<string>) =>
  fc.oneof(
    doc,
    fc.tuple(doc, fc.nat()).map(([t, cut]) => t.slice(0, t.length === 0 ? 0 : cut % t.length)),
    fc.tuple(doc, fc.array(fc.tuple(fc.nat(), fc.constantFrom('<', '>', '"', '=', '/', ' ', '{', ']', ',', '-', 'e', '\u0000')), { minLength: 1, maxLength: 4 })).map(([t, edits]) => {
      const chars = [...t];
      for (const [at, c] of edits) if (chars.length > 0) chars[at % chars.length] = c;
      return chars.join('');
    }),
    fc.string({ maxLength: 60 }),
  );

describe('fuzz: route files', () => {
  it('GPX: any text gives a route or ROUTE_FILE_INVALID', () => {
    fc.assert(fc.property(mutated(gpxDoc), (text) => void valueOrPinbenchError(() => parseRoute(text, 'fuzz.gpx'), ['ROUTE_FILE_INVALID'])), fuzzOptions(400));
  });

  it('GeoJSON: any text gives a route or ROUTE_FILE_INVALID', () => {
    const text = mutated(geoJsonDoc.map((doc) => JSON.stringify(doc) ?? 'null'));
    fc.assert(fc.property(text, (t) => void valueOrPinbenchError(() => parseRoute(t, 'fuzz.geojson'), ['ROUTE_FILE_INVALID'])), fuzzOptions(400));
  });

  it('a file of unknown extension: any text gives a route or ROUTE_FILE_INVALID', () => {
    fc.assert(fc.property(fc.oneof(mutated(gpxDoc), fc.string({ maxLength: 40 })), (t) => void valueOrPinbenchError(() => parseRoute(t, 'fuzz.txt'), ['ROUTE_FILE_INVALID'])), fuzzOptions(200));
  });

  it('a valid LineString reads back its points as {lat, lon}', () => {
    const points = fc.array(fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true })), { minLength: 2, maxLength: 6 });
    fc.assert(
      fc.property(points, (coordinates) => {
        const route = parseRoute(JSON.stringify({ type: 'LineString', coordinates }), 'fuzz.geojson');
        expect(route.points.map((p) => [p.lon, p.lat])).toEqual(coordinates.map(([lo, la]) => [lo === 0 ? 0 : lo, la === 0 ? 0 : la]));
      }),
      fuzzOptions(100),
    );
  });
});
