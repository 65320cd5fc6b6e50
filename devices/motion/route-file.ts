import { readFileSync } from 'node:fs';
import { PinbenchError } from '../../core/errors.ts';
import type { GeoPoint } from './grid.ts';

/** A user-supplied path: at least two points, with recorded times (ms) when the file had them. */
export interface Route {
  readonly file: string;
  readonly points: readonly GeoPoint[];
  readonly timesMs?: readonly number[];
}

const routeError = (file: string, problem: string, details: Record<string, unknown> = {}, cause?: unknown): PinbenchError =>
  new PinbenchError('ROUTE_FILE_INVALID', `route file ${file}: ${problem}`, { details: { file, ...details }, cause });

/** Reads and parses a `.gpx`, `.geojson` or `.json` route file. */
export function readRouteFile(file: string): Route {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? 'unknown error';
    throw routeError(file, `cannot read it (${code}); check the path, which is relative to the working directory`, {}, cause);
  }
  return parseRoute(text, file);
}

/** Parses route text; `file` names the source in errors and chooses the format by extension. */
export function parseRoute(text: string, file: string): Route {
  const lower = file.toLowerCase();
  if (lower.endsWith('.gpx')) return parseGpx(text, file);
  if (lower.endsWith('.geojson') || lower.endsWith('.json')) return parseGeoJsonRoute(text, file);
  const head = text.trimStart()[0];
  if (head === '<') return parseGpx(text, file);
  if (head === '{') return parseGeoJsonRoute(text, file);
  throw routeError(file, 'unknown route format; give a .gpx file or a .geojson file with a LineString');
}

function checkPoint(file: string, where: string, lat: number, lon: number): GeoPoint {
  if (!(lat >= -90 && lat <= 90)) throw routeError(file, `${where}: latitude ${lat} is outside [-90, 90]`);
  if (!(lon >= -180 && lon <= 180)) throw routeError(file, `${where}: longitude ${lon} is outside [-180, 180]`);
  return { lat, lon };
}

function checkCount(file: string, points: readonly GeoPoint[], what: string): void {
  if (points.length < 2) throw routeError(file, `needs at least 2 points, found ${points.length} ${what}`);
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * A small strict GPX reader: `<trkpt lat=".." lon="..">` (or `<rtept>` when there is no track),
 * with an optional `<time>` child. Not a general XML parser: it reads what GPX 1.0/1.1 writers
 * emit and rejects what it does not understand about these elements.
 */
export function parseGpx(source: string, file: string): Route {
  // Comments may mention elements; blank them out but keep line numbers.
  const text = source.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (index: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  if (!/<gpx[\s>]/.test(text)) throw routeError(file, 'not a GPX document (no <gpx> element); export the route as GPX 1.1 or GeoJSON');

  const read = (element: 'trkpt' | 'rtept'): { points: GeoPoint[]; times: Array<number | undefined> } => {
    const points: GeoPoint[] = [];
    const times: Array<number | undefined> = [];
    const open = new RegExp(`<${element}(?=[\\s/>])`, 'g');
    for (let m = open.exec(text); m !== null; m = open.exec(text)) {
      const line = lineOf(m.index);
      const where = `line ${line}`;
      const end = text.indexOf('>', m.index);
      if (end < 0) throw routeError(file, `${where}: <${element}> is not closed with '>'`, { line });
      const selfClosing = text[end - 1] === '/';
      const attrText = text.slice(m.index + element.length + 1, selfClosing ? end - 1 : end);
      const attrs = new Map<string, string>();
      const attrRe = /([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
      let rest = attrText;
      for (let a = attrRe.exec(attrText); a !== null; a = attrRe.exec(attrText)) {
        attrs.set(a[1]!, a[2] ?? a[3]!);
        rest = rest.replace(a[0], '');
      }
      if (rest.trim() !== '') throw routeError(file, `${where}: <${element}> has a malformed attribute near ${JSON.stringify(rest.trim().slice(0, 20))}`, { line });
      const coordinate = (name: 'lat' | 'lon'): number => {
        const raw = attrs.get(name);
        if (raw === undefined) throw routeError(file, `${where}: <${element}> without ${name}`, { line });
        if (!NUMBER.test(raw)) throw routeError(file, `${where}: <${element}> ${name}="${raw}" is not a number`, { line });
        return Number(raw);
      };
      points.push(checkPoint(file, where, coordinate('lat'), coordinate('lon')));
      let timeMs: number | undefined;
      if (!selfClosing) {
        const close = text.indexOf(`</${element}>`, end);
        const nextOpen = text.slice(end).search(new RegExp(`<${element}(?=[\\s/>])`));
        if (close < 0 || (nextOpen >= 0 && end + nextOpen < close)) throw routeError(file, `${where}: <${element}> has no matching </${element}>`, { line });
        const body = text.slice(end + 1, close);
        const time = /<time>([^<]*)<\/time>/.exec(body);
        if (time) {
          timeMs = Date.parse(time[1]!.trim());
          if (!Number.isFinite(timeMs)) {
            const timeLine = lineOf(end + 1 + time.index);
            throw routeError(file, `line ${timeLine}: <time>${time[1]}</time> is not an ISO 8601 time`, { line: timeLine });
          }
        }
      }
      times.push(timeMs);
    }
    return { points, times };
  };

  let found = read('trkpt');
  let what = 'in <trkpt> elements';
  if (found.points.length === 0) {
    found = read('rtept');
    what = 'in <rtept> elements';
  }
  if (found.points.length === 0) throw routeError(file, 'has no <trkpt> or <rtept> points; export a track or a route');
  checkCount(file, found.points, what);
  const timed = found.times.every((t): t is number => t !== undefined);
  return timed ? { file, points: found.points, timesMs: found.times as number[] } : { file, points: found.points };
}

/** GeoJSON (RFC 7946): a LineString, a Feature holding one, or the first one in a FeatureCollection. */
export function parseGeoJsonRoute(text: string, file: string): Route {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw routeError(file, `not valid JSON (${(cause as Error).message})`, {}, cause);
  }
  const typeOf = (v: unknown): string => (typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' ? (v as { type: string }).type : typeof v);
  const geometryOf = (v: unknown): unknown => (typeOf(v) === 'Feature' ? (v as { geometry?: unknown }).geometry : v);
  let line: unknown;
  let where = 'LineString';
  const kind = typeOf(doc);
  if (kind === 'FeatureCollection') {
    const features = (doc as { features?: unknown }).features;
    if (!Array.isArray(features)) throw routeError(file, 'FeatureCollection without a features array');
    const k = features.findIndex((f) => typeOf(geometryOf(f)) === 'LineString');
    if (k < 0) {
      const kinds = features.map((f) => typeOf(geometryOf(f)));
      throw routeError(file, `no LineString in the FeatureCollection (found ${kinds.length === 0 ? 'no features' : kinds.join(', ')}); draw the route as a LineString`);
    }
    line = geometryOf(features[k]);
    where = `features[${k}].geometry`;
  } else if (typeOf(geometryOf(doc)) === 'LineString') {
    line = geometryOf(doc);
  } else {
    throw routeError(file, `expected a LineString, a Feature or a FeatureCollection, got ${typeOf(geometryOf(doc))}`);
  }
  const coordinates = (line as { coordinates?: unknown }).coordinates;
  if (!Array.isArray(coordinates)) throw routeError(file, `${where} has no coordinates array`);
  const points = coordinates.map((c: unknown, k) => {
    if (!Array.isArray(c) || c.length < 2 || typeof c[0] !== 'number' || typeof c[1] !== 'number') {
      throw routeError(file, `${where}.coordinates[${k}] is not a [longitude, latitude] pair: ${JSON.stringify(c)}`);
    }
    return checkPoint(file, `${where}.coordinates[${k}]`, c[1], c[0]);
  });
  checkCount(file, points, `in ${where}`);
  return { file, points };
}
