/**
 * NMEA 0183 GGA and RMC, pure. The npm parser `nmea-simple` was tried and not taken: it reads the checksum with
 * parseInt, so `*4` or `*4G` pass; it takes any hemisphere that is not N as south and an empty
 * coordinate as 0°; a truncated GGA makes it throw a TypeError; and its one error class does not
 * tell a bad checksum from an unknown sentence, which the bridge counts apart.
 */

/** A position fix, in SensorData's fixed point (degrees × 1e7). */
export interface NmeaFix {
  readonly latitudeE7: number;
  readonly longitudeE7: number;
  /** The receiver's UTC time of day, `hhmmss.ss` as sent. */
  readonly utcTime: string;
  /** GGA only. */
  readonly satellites?: number;
}

export type NmeaBadKind = 'checksum' | 'noChecksum' | 'malformed' | 'unsupported';

export type NmeaLine =
  /** A GGA or RMC; `fix` is null when the receiver says it has none (GGA quality 0, RMC status V). */
  | { readonly kind: 'position'; readonly type: 'GGA' | 'RMC'; readonly talker: string; readonly fix: NmeaFix | null }
  /** A good sentence of another type (GSV, GSA, VTG, GLL, TXT, proprietary $P…). */
  | { readonly kind: 'ignored'; readonly type: string }
  | { readonly kind: 'bad'; readonly bad: NmeaBadKind; readonly why: string };

/** XOR of the characters between `$` (or `!`) and `*`. */
export function nmeaChecksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return sum;
}

/** `body` (without `$` and `*hh`) framed as a sentence with its checksum. */
export function nmeaSentence(body: string): string {
  return `$${body}*${nmeaChecksum(body).toString(16).toUpperCase().padStart(2, '0')}`;
}

const bad = (kind: NmeaBadKind, why: string): NmeaLine => ({ kind: 'bad', bad: kind, why });

/** One line from the receiver, CR/LF already stripped. */
export function parseNmeaLine(line: string): NmeaLine {
  // Printable ASCII only (NMEA 0183 §5.1): anything else is line noise or a binary protocol.
  if (!/^[\x20-\x7e]*$/.test(line)) return bad('malformed', 'not printable ASCII');
  const start = line[0];
  if (start !== '$' && start !== '!') return bad('malformed', 'does not start with $');
  const star = line.lastIndexOf('*');
  if (star < 0 || !/^\*[0-9A-Fa-f]{2}$/.test(line.slice(star))) return bad('noChecksum', 'no *hh checksum at the end');
  const body = line.slice(1, star);
  const given = Number.parseInt(line.slice(star + 1), 16);
  const computed = nmeaChecksum(body);
  if (given !== computed) return bad('checksum', `checksum ${line.slice(star + 1)}, computed ${computed.toString(16).toUpperCase().padStart(2, '0')}`);
  const fields = body.split(',');
  const address = fields[0]!;
  if (start === '!') return bad('unsupported', `encapsulated sentence !${address}`);
  if (address.startsWith('P') && /^P[A-Z0-9]+$/.test(address)) return { kind: 'ignored', type: address };
  if (!/^[A-Z][A-Z0-9][A-Z]{3}$/.test(address)) return bad('unsupported', `address "${address}" is neither talker + type nor proprietary`);
  const talker = address.slice(0, 2);
  const type = address.slice(2);
  if (type === 'GGA') return parseGga(talker, fields);
  if (type === 'RMC') return parseRmc(talker, fields);
  return { kind: 'ignored', type };
}

// $--GGA,hhmmss.ss,llll.ll,a,yyyyy.yy,a,q,ss,h.h,a.a,M,g.g,M,age,stn
function parseGga(talker: string, f: string[]): NmeaLine {
  if (f.length !== 15) return bad('malformed', `GGA has ${f.length - 1} fields, expected 14`);
  if (!/^[0-9]$/.test(f[6]!)) return bad('malformed', `GGA fix quality "${f[6]}"`);
  if (f[6] === '0') return { kind: 'position', type: 'GGA', talker, fix: null };
  const position = parsePosition(f[2]!, f[3]!, f[4]!, f[5]!);
  if (typeof position === 'string') return bad('malformed', `GGA ${position}`);
  const satellites = /^[0-9]{1,2}$/.test(f[7]!) ? Number(f[7]) : undefined;
  return { kind: 'position', type: 'GGA', talker, fix: { ...position, utcTime: f[1]!, ...(satellites === undefined ? {} : { satellites }) } };
}

// $--RMC,hhmmss.ss,A,llll.ll,a,yyyyy.yy,a,sog,cog,ddmmyy,var,a[,mode[,navStatus]]
function parseRmc(talker: string, f: string[]): NmeaLine {
  if (f.length < 12 || f.length > 14) return bad('malformed', `RMC has ${f.length - 1} fields, expected 11 to 13`);
  const status = f[2];
  if (status !== 'A' && status !== 'V') return bad('malformed', `RMC status "${status}"`);
  // NMEA 2.3's mode N ("data not valid") overrides status A on some receivers.
  if (status === 'V' || f[12] === 'N') return { kind: 'position', type: 'RMC', talker, fix: null };
  const position = parsePosition(f[3]!, f[4]!, f[5]!, f[6]!);
  if (typeof position === 'string') return bad('malformed', `RMC ${position}`);
  return { kind: 'position', type: 'RMC', talker, fix: { ...position, utcTime: f[1]! } };
}

function parsePosition(lat: string, ns: string, lon: string, ew: string): { latitudeE7: number; longitudeE7: number } | string {
  if (ns !== 'N' && ns !== 'S') return `latitude hemisphere "${ns}"`;
  if (ew !== 'E' && ew !== 'W') return `longitude hemisphere "${ew}"`;
  const latitude = degreesE7(lat, 2, 90);
  if (latitude === undefined) return `latitude "${lat}"`;
  const longitude = degreesE7(lon, 3, 180);
  if (longitude === undefined) return `longitude "${lon}"`;
  return { latitudeE7: ns === 'S' ? -latitude : latitude, longitudeE7: ew === 'W' ? -longitude : longitude };
}

/**
 * `d…dmm.mmmm` → degrees × 1e7, rounded half up, in integers: minutes with many decimals
 * (u-blox's high-precision mode sends 7) are exact where a float division could be off by one.
 */
function degreesE7(text: string, degreeDigits: number, maxDegrees: number): number | undefined {
  const match = new RegExp(`^([0-9]{${degreeDigits}})([0-9]{2})(?:\\.([0-9]{1,9}))?$`).exec(text);
  if (match === null) return undefined;
  const degrees = Number(match[1]);
  const decimals = match[3] ?? '';
  const minutesScaled = BigInt(match[2]! + decimals); // minutes × 10^decimals
  const denominator = 60n * 10n ** BigInt(decimals.length);
  if (minutesScaled >= denominator) return undefined; // minutes ≥ 60
  const e7 = degrees * 10_000_000 + Number((minutesScaled * 10_000_000n * 2n + denominator) / (2n * denominator));
  return e7 > maxDegrees * 10_000_000 ? undefined : e7;
}
