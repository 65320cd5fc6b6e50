import { describe, expect, it } from 'vitest';
import { nmeaChecksum, nmeaSentence, parseNmeaLine } from '../../sim/bridge/nmea.ts';
import { LineSplitter } from '../../sim/bridge/line-splitter.ts';
import { FixTracker } from '../../sim/bridge/fix-tracker.ts';

// Well-known sentences with checksums as receivers send them (NMEA 0183 examples, gpsd test logs).
const GP_GGA = '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47';
const GP_RMC = '$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A';

describe('NMEA checksum', () => {
  it('behavior: XOR of the characters between $ and *, as the sentences above carry it', () => {
    expect(nmeaChecksum('GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,')).toBe(0x47);
    expect(nmeaSentence('GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W')).toBe(GP_RMC);
  });
});

describe('parseNmeaLine', () => {
  it('behavior: a GP GGA gives the fix in degrees × 1e7, exactly, with its satellites', () => {
    expect(parseNmeaLine(GP_GGA)).toEqual({
      kind: 'position',
      type: 'GGA',
      talker: 'GP',
      // 48° 07.038' = 48.1173°, 11° 31.000' = 11.516666…° → rounded half up
      fix: { latitudeE7: 481_173_000, longitudeE7: 115_166_667, utcTime: '123519', satellites: 8 },
    });
  });

  it('behavior: a GP RMC with status A gives the fix', () => {
    expect(parseNmeaLine(GP_RMC)).toEqual({ kind: 'position', type: 'RMC', talker: 'GP', fix: { latitudeE7: 481_173_000, longitudeE7: 115_166_667, utcTime: '123519' } });
  });

  it('behavior: GN (multi-GNSS) talkers, NMEA 2.3 mode field, high-precision minutes', () => {
    const rmc = nmeaSentence('GNRMC,091200.00,A,5231.30940,N,01324.79687,E,21.972,250.08,140526,,,A');
    const gga = nmeaSentence('GNGGA,091200.00,5231.3094012,N,01324.7968700,E,2,10,0.90,39.1,M,44.9,M,,');
    // 31.30940' / 60 = 0.52182333…°; 24.79687' / 60 = 0.41328116…°
    expect(parseNmeaLine(rmc)).toEqual({ kind: 'position', type: 'RMC', talker: 'GN', fix: { latitudeE7: 525_218_233, longitudeE7: 134_132_812, utcTime: '091200.00' } });
    // 31.3094012' / 60 = 0.521823353…°: 7 decimals of minutes, still exact
    expect(parseNmeaLine(gga)).toMatchObject({ talker: 'GN', fix: { latitudeE7: 525_218_234, longitudeE7: 134_132_812, satellites: 10 } });
    expect(parseNmeaLine(nmeaSentence('GLGGA,000001,0000.0000,N,00000.0000,E,1,04,1.0,0.0,M,0.0,M,,'))).toMatchObject({ talker: 'GL', fix: { latitudeE7: 0, longitudeE7: 0 } });
  });

  it('behavior: southern and western hemispheres are negative', () => {
    // Buenos Aires, Obelisco: 34° 36.2220' S, 58° 22.9860' W
    const line = parseNmeaLine(nmeaSentence('GPRMC,150000.00,A,3436.2220,S,05822.9860,W,0.0,0.0,010126,,,A'));
    expect(line).toMatchObject({ fix: { latitudeE7: -346_037_000, longitudeE7: -583_831_000 } });
    const sf = parseNmeaLine(nmeaSentence('GPGGA,150000.00,3746.4940,N,12225.1640,W,1,09,0.8,16.0,M,-25.0,M,,'));
    expect(sf).toMatchObject({ fix: { latitudeE7: 377_749_000, longitudeE7: -1_224_194_000 } });
  });

  it('behavior: empty fields when there is no fix give fix null (GGA quality 0, RMC status V or mode N)', () => {
    expect(parseNmeaLine(nmeaSentence('GNGGA,091156.00,,,,,0,00,99.99,,,,,,'))).toEqual({ kind: 'position', type: 'GGA', talker: 'GN', fix: null });
    expect(parseNmeaLine(nmeaSentence('GNRMC,091156.00,V,,,,,,,140526,,,N'))).toEqual({ kind: 'position', type: 'RMC', talker: 'GN', fix: null });
    expect(parseNmeaLine(nmeaSentence('GPRMC,091156.00,A,5231.3094,N,01324.7968,E,0.0,0.0,140526,,,N'))).toMatchObject({ fix: null });
  });

  it('behavior: a lowercase hex checksum is accepted', () => {
    const line = nmeaSentence('GNGGA,091200.00,5231.30940,N,01324.79687,E,1,10,0.90,39.1,M,44.9,M,,');
    expect(line.slice(-2)).toMatch(/[A-F]/); // the test means something only with a letter in it
    expect(parseNmeaLine(line.slice(0, -2) + line.slice(-2).toLowerCase())).toMatchObject({ kind: 'position', type: 'GGA' });
  });

  it('behavior: other sentence types and proprietary ones are ignored, not bad', () => {
    expect(parseNmeaLine('$GPGSV,3,1,11,03,03,111,00,04,15,270,00,06,01,010,00,13,06,292,00*74')).toEqual({ kind: 'ignored', type: 'GSV' });
    expect(parseNmeaLine(nmeaSentence('GNGSA,A,3,05,13,15,18,20,24,29,,,,,,1.67,0.95,1.38'))).toEqual({ kind: 'ignored', type: 'GSA' });
    expect(parseNmeaLine(nmeaSentence('GNVTG,250.08,T,,M,21.972,N,40.692,K,A'))).toEqual({ kind: 'ignored', type: 'VTG' });
    expect(parseNmeaLine(nmeaSentence('PUBX,00,091200.00,5231.30940,N'))).toEqual({ kind: 'ignored', type: 'PUBX' });
  });

  it('error: a bad checksum, whatever the content', () => {
    expect(parseNmeaLine(GP_GGA.replace('*47', '*48'))).toEqual({ kind: 'bad', bad: 'checksum', why: 'checksum 48, computed 47' });
    expect(parseNmeaLine(GP_GGA.replace('4807.038', '4807.039'))).toMatchObject({ bad: 'checksum' });
  });

  it('error: a missing or malformed checksum field', () => {
    expect(parseNmeaLine(GP_GGA.slice(0, GP_GGA.indexOf('*')))).toMatchObject({ bad: 'noChecksum' });
    expect(parseNmeaLine(GP_GGA.slice(0, -1))).toMatchObject({ bad: 'noChecksum' }); // *4
    expect(parseNmeaLine(GP_GGA.slice(0, -1) + 'G')).toMatchObject({ bad: 'noChecksum' }); // *4G
    expect(parseNmeaLine(GP_GGA + 'junk')).toMatchObject({ bad: 'noChecksum' });
  });

  it('error: truncated sentences: cut off without checksum, or too few fields under a valid one', () => {
    expect(parseNmeaLine('$GNRMC,091230.00,A,5231.25197,')).toMatchObject({ bad: 'noChecksum' });
    expect(parseNmeaLine(nmeaSentence('GPGGA,123519,4807.038,N,01131.000,E,1'))).toMatchObject({ bad: 'malformed', why: 'GGA has 6 fields, expected 14' });
    expect(parseNmeaLine(nmeaSentence('GPRMC,123519,A,4807.038,N'))).toMatchObject({ bad: 'malformed' });
    expect(parseNmeaLine('GGA,091241.00,5231.22885,N,01324.42621,E,1,10,0.96,38.1,M,44.9,M,,*77')).toMatchObject({ bad: 'malformed', why: 'does not start with $' });
  });

  it('error: impossible values under a valid checksum are malformed, never a position', () => {
    const gga = (lat: string, ns: string, lon: string, ew: string) => parseNmeaLine(nmeaSentence(`GPGGA,123519,${lat},${ns},${lon},${ew},1,08,0.9,545.4,M,46.9,M,,`));
    expect(gga('4807.038', 'X', '01131.000', 'E')).toMatchObject({ bad: 'malformed', why: 'GGA latitude hemisphere "X"' });
    expect(gga('4807.038', 'N', '01131.000', '')).toMatchObject({ bad: 'malformed' });
    expect(gga('', 'N', '01131.000', 'E')).toMatchObject({ bad: 'malformed', why: 'GGA latitude ""' });
    expect(gga('4860.000', 'N', '01131.000', 'E')).toMatchObject({ bad: 'malformed' }); // 60 minutes
    expect(gga('9100.000', 'N', '01131.000', 'E')).toMatchObject({ bad: 'malformed' });
    expect(gga('4807.038', 'N', '1131.000', 'E')).toMatchObject({ bad: 'malformed' }); // 2-digit degrees of longitude
    expect(gga('48O7.038', 'N', '01131.000', 'E')).toMatchObject({ bad: 'malformed' });
    expect(parseNmeaLine(nmeaSentence('GPRMC,123519,X,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W'))).toMatchObject({ bad: 'malformed' });
  });

  it('error: binary noise is malformed; encapsulation and odd addresses are unsupported', () => {
    expect(parseNmeaLine('\u00b5b\u0001\u0007\\\u0000')).toMatchObject({ bad: 'malformed', why: 'not printable ASCII' });
    expect(parseNmeaLine('!AIVDM,1,1,,B,177KQJ5000G?tO`K>RA1wUbN0TKH,0*5C')).toMatchObject({ bad: 'unsupported' });
    expect(parseNmeaLine(nmeaSentence('GPGGAX,1'))).toMatchObject({ bad: 'unsupported' });
    expect(parseNmeaLine(nmeaSentence('gpgga,1'))).toMatchObject({ bad: 'unsupported' });
    expect(parseNmeaLine('')).toMatchObject({ bad: 'malformed' });
  });
});

describe('LineSplitter', () => {
  it('behavior: splits on CR, LF and CRLF across chunks, keeps a partial line for the next chunk', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('$A*00\r\n$B'));
    splitter.push(Buffer.from('*01\n$C*02\r'));
    splitter.push(Buffer.from('\n$D'));
    expect(lines).toEqual(['$A*00', '$B*01', '$C*02']);
    splitter.reset();
    splitter.push(Buffer.from('*03\r\n'));
    expect(lines.at(-1)).toBe('*03'); // the half line before reset was dropped
  });

  it('behavior: a stream without newlines is cut into lines of at most maxLength', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 8);
    splitter.push(Buffer.alloc(20, 0xb5));
    expect(lines.map((l) => l.length)).toEqual([8, 8]);
  });
});

describe('FixTracker', () => {
  it('behavior: the latest fix since the last take; a no-fix sentence voids an earlier fix', () => {
    const tracker = new FixTracker();
    tracker.observe(parseNmeaLine(GP_GGA));
    tracker.observe(parseNmeaLine(nmeaSentence('GPRMC,123520,A,4807.100,N,01131.000,E,022.4,084.4,230394,003.1,W')));
    expect(tracker.take()).toMatchObject({ utcTime: '123520' });
    expect(tracker.take()).toBeNull();
    tracker.observe(parseNmeaLine(GP_GGA));
    tracker.observe(parseNmeaLine(nmeaSentence('GPGGA,123521,,,,,0,00,99.9,,,,,,')));
    expect(tracker.take()).toBeNull();
    tracker.observe(parseNmeaLine(GP_RMC));
    tracker.clear();
    expect(tracker.take()).toBeNull();
    expect([tracker.fixes, tracker.noFixSentences]).toEqual([4, 1]);
  });
});
