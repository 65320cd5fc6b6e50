import { describe, expect, it } from 'vitest';
import { isPinbenchError } from '../../core/errors.ts';
import { buildFleet, buildReading, createSensorModel, createStreetGridMotion, seededRandom, signReading } from '../../devices/index.ts';
import {
  ALL_DATA_CHANNELS,
  DataChannel,
  PackageType,
  ProtoWriter,
  createVerifier,
  decodeBinPackage,
  decodeSensorData,
  encodeBinPackage,
  encodeSensorData,
  maskSensorData,
  signedMessage,
  type SensorData,
} from '../../protocol/index.ts';
import { binPackageToJson, encodeJsonPackage, jsonToBinPackage } from '../../protocol/codec/json-package.ts';

const [device] = buildFleet({ seed: 'codec-json', count: 1, uploadPeriodS: 10 });
const key = { curve: device!.curve, privateKey: device!.privateKey };
const verifier = createVerifier(device!.publicKey, device!.curve);
const T = 1_767_225_600; // 2026-01-01T00:00:00Z

const full: SensorData = {
  snr: 1900,
  vbat: 4167,
  latitude: 525_200_000,
  longitude: 134_049_000,
  gasResistance: 7_745_665,
  temperature: -1_234,
  pressure: 101_325,
  humidity: 6_724,
  light: 0,
  temperature2: 2_931,
  gyroscope: [-2, 3, 1],
  accelerometer: [-35, 110, 8226],
  random: 'E1915DBE2ACCC9F3',
};

/** A signed DATA package over `data`, as a device encodes it. */
function signedPackage(data: SensorData, timestamp = T): Uint8Array {
  const bytes = encodeSensorData(data);
  return encodeBinPackage({ type: PackageType.DATA, data: bytes, timestamp, signature: signReading(key, PackageType.DATA, bytes, timestamp) });
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const parse = (bytes: Uint8Array): Record<string, unknown> => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
const present = (msg: SensorData): Record<string, unknown> =>
  Object.fromEntries(Object.entries(msg).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));

/** pkg → JSON → pkg: the same bytes, and the signature verifies over the rebuilt fields. */
function expectRoundTrip(pkgBytes: Uint8Array): Record<string, unknown> {
  const json = binPackageToJson(pkgBytes);
  const back = jsonToBinPackage(json);
  expect(Buffer.from(encodeBinPackage(back)).equals(Buffer.from(pkgBytes))).toBe(true);
  const original = decodeBinPackage(pkgBytes);
  expect(Buffer.from(signedMessage(back.type, back.data, back.timestamp)).equals(Buffer.from(signedMessage(original.type, original.data, original.timestamp)))).toBe(true);
  return parse(json);
}

describe('JSON form of a BinPackage', () => {
  it('behavior: every SensorData field under its protobuf name and integer unit, in field order; the signature verifies over the rebuilt bytes', () => {
    const pkg = signedPackage(full);
    const json = binPackageToJson(pkg);
    const text = new TextDecoder().decode(json);
    const signatureHex = Buffer.from(decodeBinPackage(pkg).signature).toString('hex');
    expect(text).toBe(
      `{"type":"DATA","timestamp":${T},"data":{"snr":1900,"vbat":4167,"latitude":525200000,"longitude":134049000,"gasResistance":7745665,` +
        `"temperature":-1234,"pressure":101325,"humidity":6724,"light":0,"temperature2":2931,"gyroscope":[-2,3,1],"accelerometer":[-35,110,8226],` +
        `"random":"E1915DBE2ACCC9F3"},"signature":"${signatureHex}"}`,
    );
    expect(signatureHex).toMatch(/^[0-9a-f]{128}$/);
    const back = jsonToBinPackage(json);
    expect(back.type).toBe(PackageType.DATA);
    expect(back.timestamp).toBe(T);
    expect(decodeSensorData(back.data)).toEqual({ ...full, gyroscope: [-2, 3, 1], accelerometer: [-35, 110, 8226] });
    expect(verifier.verifyPackage(back)).toBe(true);
    expectRoundTrip(pkg);
  });

  it('behavior: a masked reading leaves the channels it does not send out, and still round-trips and verifies', () => {
    const masks = [ALL_DATA_CHANNELS, 0, DataChannel.GPS, DataChannel.GPS | DataChannel.VBAT, ...Object.values(DataChannel).map((bit) => ALL_DATA_CHANNELS & ~bit)];
    for (const mask of masks) {
      const data = maskSensorData(full, mask);
      const pkg = signedPackage(data);
      const json = expectRoundTrip(pkg);
      expect(json.data).toEqual(present(data));
      expect(Object.keys(json.data as object)).toEqual(Object.keys(present(data)));
      expect(verifier.verifyPackage(jsonToBinPackage(binPackageToJson(pkg)))).toBe(true);
    }
    // Only `random` is always sent.
    expect(parse(binPackageToJson(signedPackage(maskSensorData(full, 0)))).data).toEqual({ random: 'E1915DBE2ACCC9F3' });
  });

  it('behavior: negative and extreme values keep their sign and width (sint32 zigzag, uint32 to 2^32 − 1)', () => {
    const data: SensorData = {
      snr: 0xffffffff,
      vbat: 0,
      latitude: -338_688_000, // Sydney
      longitude: -2_147_483_648,
      temperature: -4_000,
      temperature2: 0,
      gyroscope: [-32_768, 2_147_483_647, -1, 0],
      accelerometer: [-8_192],
      random: 'Grüße, 東京 🚲',
    };
    const json = expectRoundTrip(signedPackage(data));
    expect(json.data).toEqual(present(data));
    expect(verifier.verifyPackage(jsonToBinPackage(binPackageToJson(signedPackage(data))))).toBe(true);
  });

  it('behavior: seeded random SensorData of every shape round-trips byte for byte', () => {
    const r = seededRandom(7, 'codec-json', 0);
    const int32 = () => (Math.floor(r.next() * 2 ** 32) | 0) >> Math.floor(r.next() * 32);
    const uint32 = () => Math.floor(r.next() * 2 ** 32) >>> Math.floor(r.next() * 32);
    const maybe = <T>(f: () => T): T | undefined => (r.next() < 0.7 ? f() : undefined);
    for (let k = 0; k < 300; k++) {
      const data: SensorData = {
        snr: maybe(uint32), vbat: maybe(uint32), latitude: maybe(int32), longitude: maybe(int32), gasResistance: maybe(uint32),
        temperature: maybe(int32), pressure: maybe(uint32), humidity: maybe(uint32), light: maybe(uint32), temperature2: maybe(uint32),
        gyroscope: Array.from({ length: Math.floor(r.next() * 4) }, int32),
        accelerometer: Array.from({ length: Math.floor(r.next() * 4) }, int32),
        random: maybe(() => Array.from({ length: Math.floor(r.next() * 12) }, () => String.fromCodePoint(32 + Math.floor(r.next() * 0x2ff))).join('')),
      };
      const bytes = encodeSensorData(data);
      const pkg = encodeBinPackage({ type: PackageType.DATA, data: bytes, timestamp: uint32(), signature: new Uint8Array(64).fill(k & 0xff) });
      expect(expectRoundTrip(pkg).data).toEqual(present(data));
    }
  });

  it('behavior: a tracker reading (motion, sensors, signature) converts and verifies', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const random = seededRandom('codec-json', 'device', 0);
    const source = {
      key,
      motion: createStreetGridMotion({ area: device!.area, profile: 'car', start: device!.start, startMs: t0, random }),
      sensors: createSensorModel(random, t0),
    };
    for (let k = 1; k <= 20; k++) {
      const { payload } = buildReading(source, t0 + k * 10_000, { dataChannel: k % 2 === 0 ? ALL_DATA_CHANNELS : DataChannel.GPS | DataChannel.VBAT });
      const json = expectRoundTrip(payload);
      // As encoded (the sensor model's -0 is 0 on the wire).
      expect(json.data).toEqual(present(decodeSensorData(decodeBinPackage(payload).data)));
      expect(Object.keys(json.data as object).length).toBe(k % 2 === 0 ? 13 : 4);
      expect(verifier.verifyPackage(jsonToBinPackage(binPackageToJson(payload)))).toBe(true);
    }
  });

  it('behavior: CONFIG and STATE packages carry their data as hex', () => {
    for (const type of [PackageType.CONFIG, PackageType.STATE]) {
      const pkg = encodeBinPackage({ type, data: Uint8Array.of(0x08, 0x96, 0x01), timestamp: T, signature: new Uint8Array(64).fill(3) });
      const json = expectRoundTrip(pkg);
      expect(json).toEqual({ type: type === PackageType.CONFIG ? 'CONFIG' : 'STATE', timestamp: T, data: '089601', signature: '03'.repeat(64) });
    }
  });

  it('behavior: number spelling and key order do not matter; upper-case hex is read', () => {
    const pkg = signedPackage({ latitude: -5, longitude: 7, random: 'x' });
    const o = parse(binPackageToJson(pkg)) as { signature: string };
    const respelled = `{"signature":"${o.signature.toUpperCase()}","data":{"random":"x","longitude":7.0,"latitude":-5e0},"timestamp":${T}.0,"type":"DATA"}`;
    expect(Buffer.from(encodeBinPackage(jsonToBinPackage(utf8(respelled)))).equals(Buffer.from(pkg))).toBe(true);
  });

  it('error: bytes that are not canonical SensorData cannot be given a JSON form that would verify', () => {
    // Packed repeated fields decode to the same values but re-encode unpacked: other bytes.
    const w = new ProtoWriter();
    w.tag(11, 2);
    w.varint32(2);
    w.sint32(-2);
    w.sint32(3);
    const data = w.finish();
    const pkg = encodeBinPackage({ type: PackageType.DATA, data, timestamp: T, signature: new Uint8Array(64) });
    expect(() => binPackageToJson(pkg)).toThrow(/^cannot encode BinPackage JSON: field "data" is not canonical SensorData/);
    expect(() => encodeJsonPackage({ type: PackageType.DATA, data: Uint8Array.of(0x07), timestamp: T, signature: new Uint8Array(64) })).toThrow(
      /^cannot encode BinPackage JSON: field "data" is not a SensorData/,
    );
    let caught: unknown;
    try {
      binPackageToJson(Uint8Array.of(0x08));
    } catch (error) {
      caught = error;
    }
    expect(isPinbenchError(caught, 'CODEC_DECODE_FAILED')).toBe(true);
  });
});

describe('JSON form: malformed input', () => {
  const good = parse(binPackageToJson(signedPackage({ latitude: 1, longitude: 2, gyroscope: [1, 2] })));
  const withField = (path: string, value: unknown): string => {
    const copy = structuredClone(good) as Record<string, Record<string, unknown>>;
    const [head, tail] = path.split('.') as [string, string | undefined];
    if (tail === undefined) copy[head] = value as Record<string, unknown>;
    else copy[head]![tail] = value;
    return JSON.stringify(copy);
  };
  const without = (key: string): string => JSON.stringify(Object.fromEntries(Object.entries(good).filter(([k]) => k !== key)));

  const cases: Array<[string, string | Uint8Array, string, string, string | undefined]> = [
    ['malformed JSON', '{"type":"DATA",', 'invalid-json', 'not JSON (', undefined],
    ['not an object', '[1,2]', 'invalid-json', 'expected a JSON object with type, timestamp, data, signature, got an array', undefined],
    ['a JSON string', '"DATA"', 'invalid-json', 'expected a JSON object with type, timestamp, data, signature, got string "DATA"', undefined],
    ['bad UTF-8', Uint8Array.of(0x7b, 0xff, 0x7d), 'invalid-utf8', 'the payload is not valid UTF-8', undefined],
    ['no type', without('type'), 'missing-required-field', 'missing required field "type"', 'type'],
    ['no timestamp', without('timestamp'), 'missing-required-field', 'missing required field "timestamp"', 'timestamp'],
    ['no data', without('data'), 'missing-required-field', 'missing required field "data"', 'data'],
    ['no signature', without('signature'), 'missing-required-field', 'missing required field "signature"', 'signature'],
    ['a numeric type', withField('type', 0), 'invalid-value', 'field "type" must be "DATA", "CONFIG" or "STATE", got number 0', 'type'],
    ['an unknown type', withField('type', 'PING'), 'unknown-enum-value', 'field "type" must be "DATA", "CONFIG" or "STATE", got string "PING"', 'type'],
    ['a string timestamp', withField('timestamp', '1767225600'), 'invalid-value', 'field "timestamp" must be an integer in [0, 4294967295] (uint32, seconds since the Unix epoch), got string "1767225600"', 'timestamp'],
    ['a negative timestamp', withField('timestamp', -1), 'invalid-value', 'field "timestamp" must be an integer in [0, 4294967295] (uint32, seconds since the Unix epoch), got number -1', 'timestamp'],
    ['a timestamp past uint32', withField('timestamp', 2 ** 32), 'invalid-value', 'got number 4294967296', 'timestamp'],
    ['a fractional timestamp', withField('timestamp', 1.5), 'invalid-value', 'got number 1.5', 'timestamp'],
    ['data as an array', withField('data', []), 'invalid-value', 'field "data" must be an object of SensorData fields for a DATA package, got an array', 'data'],
    ['latitude in degrees', withField('data.latitude', 52.52), 'invalid-value', 'field "data.latitude" must be an integer in [-2147483648, 2147483647] (sint32, degrees ×1e7), got number 52.52', 'data.latitude'],
    ['latitude as text', withField('data.latitude', '525200000'), 'invalid-value', 'field "data.latitude" must be an integer in [-2147483648, 2147483647] (sint32, degrees ×1e7), got string "525200000"', 'data.latitude'],
    ['latitude past int32', withField('data.latitude', 2 ** 31), 'invalid-value', 'got number 2147483648', 'data.latitude'],
    ['a negative uint32', withField('data.snr', -1), 'invalid-value', 'field "data.snr" must be an integer in [0, 4294967295] (uint32, dB ×100), got number -1', 'data.snr'],
    ['null for an absent field', withField('data.vbat', null), 'invalid-value', 'field "data.vbat" must be an integer in [0, 4294967295] (uint32, mV), got null; leave an absent field out instead of null', 'data.vbat'],
    ['gyroscope not a list', withField('data.gyroscope', 5), 'invalid-value', 'field "data.gyroscope" must be an array of integers (sint32, raw counts (16.4 per °/s)), got number 5', 'data.gyroscope'],
    ['gyroscope with a fraction', withField('data.gyroscope', [1, 2.5]), 'invalid-value', 'field "data.gyroscope[1]" must be an integer in [-2147483648, 2147483647] (sint32, raw counts (16.4 per °/s)), got number 2.5', 'data.gyroscope[1]'],
    ['random not text', withField('data.random', 42), 'invalid-value', 'field "data.random" must be a string, got number 42', 'data.random'],
    ['random with a lone surrogate', withField('data.random', 'a\ud800'), 'invalid-value', 'field "data.random" must be Unicode text, got a lone surrogate', 'data.random'],
    ['a short signature', withField('signature', 'ab'.repeat(63)), 'bad-signature-length', 'field "signature" must be 128 hex characters (64 bytes r‖s), got 126 characters', 'signature'],
    ['a long signature', withField('signature', 'ab'.repeat(72)), 'bad-signature-length', 'got 144 characters', 'signature'],
    ['a signature that is not hex', withField('signature', 'zz'.repeat(64)), 'invalid-value', 'field "signature" must be hex (0-9, a-f)', 'signature'],
    ['a signature as bytes', withField('signature', [1, 2]), 'invalid-value', 'field "signature" must be a string of 128 hex characters (64 bytes r‖s), got an array', 'signature'],
    ['an unknown field', withField('altitude', 34), 'unknown-field', 'unknown field "altitude"; a package has only type, timestamp, data, signature', 'altitude'],
    ['an unknown SensorData field', withField('data.altitude', 34), 'unknown-field', 'unknown field "data.altitude"; SensorData has snr, vbat, latitude, longitude, gasResistance, temperature, pressure, humidity, light, temperature2, gyroscope, accelerometer, random', 'data.altitude'],
    ['__proto__', '{"__proto__":{},"type":"DATA"}', 'unknown-field', 'unknown field "__proto__"', '__proto__'],
  ];

  it.each(cases)('error: %s', (_name, input, reason, message, field) => {
    let caught: unknown;
    try {
      jsonToBinPackage(typeof input === 'string' ? utf8(input) : input);
    } catch (error) {
      caught = error;
    }
    expect(isPinbenchError(caught, 'CODEC_DECODE_FAILED')).toBe(true);
    const error = caught as Error & { details: Record<string, unknown> };
    expect(error.message.startsWith('cannot decode BinPackage JSON: ')).toBe(true);
    expect(error.message).toContain(message);
    expect(error.message.endsWith('; drop the payload and check that the sender speaks the JSON form of docs/codec-json.md')).toBe(true);
    expect(error.details.reason).toBe(reason);
    expect(error.details.field).toBe(field);
  });

  it('behavior: the good package the cases start from is read', () => {
    expect(jsonToBinPackage(utf8(JSON.stringify(good))).timestamp).toBe(T);
  });
});
