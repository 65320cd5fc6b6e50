import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { isPinbenchError } from '../../core/errors.ts';
import { seededRandom } from '../../devices/index.ts';
import { PackageType, ProtoWriter, decodeBinPackage, decodeSensorData, encodeBinPackage, encodeSensorData, signedDigest, signedMessage, type SensorData } from '../../protocol/index.ts';
import { sha256 } from '@noble/hashes/sha2.js';

// The Pebble Tracker v2 schema as docs/architecture.md, "Wire format", states it, for protobufjs
// to cross-check against.
const PEBBLE_PROTO = `
syntax = "proto2";
message SensorData {
  optional uint32 snr = 1;
  optional uint32 vbat = 2;
  optional sint32 latitude = 3;
  optional sint32 longitude = 4;
  optional uint32 gasResistance = 5;
  optional sint32 temperature = 6;
  optional uint32 pressure = 7;
  optional uint32 humidity = 8;
  optional uint32 light = 9;
  optional uint32 temperature2 = 10;
  repeated sint32 gyroscope = 11;
  repeated sint32 accelerometer = 12;
  optional string random = 13;
}
message PackedSensorData {
  repeated sint32 gyroscope = 11 [packed = true];
  repeated sint32 accelerometer = 12 [packed = true];
}
message BinPackage {
  enum PackageType { DATA = 0; CONFIG = 1; STATE = 2; }
  required PackageType type = 1;
  required bytes data = 2;
  required uint32 timestamp = 3;
  required bytes signature = 4;
}
`;
const root = protobuf.parse(PEBBLE_PROTO).root;
const PbSensorData = root.lookupType('SensorData');
const PbPackedSensorData = root.lookupType('PackedSensorData');
const PbBinPackage = root.lookupType('BinPackage');

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

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const sig = (fill = 7): Uint8Array => new Uint8Array(64).fill(fill);

function randomSensorData(seed: number): SensorData {
  const r = seededRandom(seed, 'codec-test', 0);
  const int32 = (): number => (Math.floor(r.next() * 2 ** 32) | 0) >> Math.floor(r.next() * 32);
  const uint32 = (): number => Math.floor(r.next() * 2 ** 32) >>> Math.floor(r.next() * 32);
  const maybe = <T>(f: () => T): T | undefined => (r.next() < 0.8 ? f() : undefined);
  const list = (): number[] => Array.from({ length: Math.floor(r.next() * 5) }, int32);
  return {
    snr: maybe(uint32),
    vbat: maybe(uint32),
    latitude: maybe(int32),
    longitude: maybe(int32),
    gasResistance: maybe(uint32),
    temperature: maybe(int32),
    pressure: maybe(uint32),
    humidity: maybe(uint32),
    light: maybe(uint32),
    temperature2: maybe(uint32),
    gyroscope: list(),
    accelerometer: list(),
    random: maybe(() => Array.from({ length: Math.floor(r.next() * 20) }, () => String.fromCodePoint(32 + Math.floor(r.next() * 0x2ff))).join('')),
  };
}

const withoutUndefined = (msg: SensorData): Record<string, unknown> =>
  Object.fromEntries(Object.entries(msg).filter(([, v]) => v !== undefined));

describe('SensorData codec', () => {
  it('behavior: round-trips every field, including negative and extreme values', () => {
    expect(decodeSensorData(encodeSensorData(full))).toEqual(full);
    const extremes: SensorData = { snr: 0xffffffff, latitude: -2147483648, longitude: 2147483647, temperature: -1, gyroscope: [], accelerometer: [0] };
    expect(decodeSensorData(encodeSensorData(extremes))).toEqual({ ...extremes, gyroscope: [] });
  });

  it('behavior: an empty message encodes to no bytes and decodes with empty repeated fields', () => {
    expect(encodeSensorData({})).toEqual(new Uint8Array(0));
    expect(decodeSensorData(new Uint8Array(0))).toEqual({ gyroscope: [], accelerometer: [] });
  });

  it('behavior: encodes byte-identically to protobufjs and decodes what protobufjs encodes (200 random messages)', () => {
    for (let seed = 0; seed < 200; seed++) {
      const msg = randomSensorData(seed);
      const ours = encodeSensorData(msg);
      const theirs = PbSensorData.encode(PbSensorData.fromObject(withoutUndefined(msg))).finish();
      expect(ours).toEqual(Uint8Array.from(theirs));
      const decodedByThem = PbSensorData.toObject(PbSensorData.decode(ours), { defaults: false, arrays: true });
      expect(decodedByThem).toEqual({ ...withoutUndefined(msg) });
      expect(decodeSensorData(Uint8Array.from(theirs))).toEqual({ gyroscope: [], accelerometer: [], ...withoutUndefined(msg) });
    }
  });

  it('behavior: accepts packed repeated fields, and packed and unpacked mixed in one message', () => {
    const packed = PbPackedSensorData.encode(PbPackedSensorData.fromObject({ gyroscope: [-2, 3, 1], accelerometer: [-35, 110, 8226] })).finish();
    expect(decodeSensorData(Uint8Array.from(packed))).toMatchObject({ gyroscope: [-2, 3, 1], accelerometer: [-35, 110, 8226] });
    const unpackedTail = encodeSensorData({ gyroscope: [9] });
    const mixed = new Uint8Array([...packed, ...unpackedTail]);
    expect(decodeSensorData(mixed).gyroscope).toEqual([-2, 3, 1, 9]);
  });

  it('behavior: skips unknown fields of every wire type, including groups', () => {
    const w = new ProtoWriter();
    w.tag(1, 0);
    w.varint32(5);
    w.tag(20, 0); // varint
    w.varint32(300);
    w.tag(21, 1); // i64
    for (let i = 0; i < 8; i++) w.varint32(1);
    w.tag(22, 2); // len
    w.bytes(bytes(1, 2, 3));
    w.tag(23, 5); // i32
    for (let i = 0; i < 4; i++) w.varint32(1);
    w.tag(24, 3); // group { field 25 varint, nested group 26 {} }
    w.tag(25, 0);
    w.varint32(1);
    w.tag(26, 3);
    w.tag(26, 4);
    w.tag(24, 4);
    w.tag(2, 0);
    w.varint32(4000);
    expect(decodeSensorData(w.finish())).toMatchObject({ snr: 5, vbat: 4000 });
  });

  it('behavior: a scalar field seen twice keeps the last value', () => {
    expect(decodeSensorData(bytes(0x08, 0x01, 0x08, 0x02)).snr).toBe(2);
  });

  it('behavior: 32-bit fields accept zero-extended and sign-extended varints; unknown fields may be 64-bit', () => {
    expect(decodeSensorData(bytes(0x08, 0x87, 0x80, 0x80, 0x80, 0x00)).snr).toBe(7);
    expect(decodeSensorData(bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).temperature).toBe(-2147483648);
    expect(decodeSensorData(bytes(0xa0, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x08, 0x05)).snr).toBe(5);
  });

  it('error: refuses to encode values outside the field type', () => {
    expect(() => encodeSensorData({ latitude: 52.52 })).toThrow(
      'cannot encode SensorData: field 3 (latitude) must be an integer in [-2147483648, 2147483647], got 52.52; apply the field\'s scale and round first',
    );
    expect(() => encodeSensorData({ vbat: -1 })).toThrow('field 2 (vbat) must be an integer in [0, 4294967295], got -1');
    expect(() => encodeSensorData({ accelerometer: [1, 2 ** 31] })).toThrow('field 12 (accelerometer[1]) must be an integer');
  });
});

describe('BinPackage codec', () => {
  const pkg = { type: PackageType.DATA, data: encodeSensorData(full), timestamp: 1_621_943_329, signature: sig() };

  it('behavior: round-trips and matches protobufjs byte for byte, both ways', () => {
    const ours = encodeBinPackage(pkg);
    expect(decodeBinPackage(ours)).toEqual(pkg);
    const theirs = PbBinPackage.encode(PbBinPackage.fromObject(pkg)).finish();
    expect(ours).toEqual(Uint8Array.from(theirs));
    for (const type of [PackageType.CONFIG, PackageType.STATE]) {
      const other = { ...pkg, type, timestamp: 0xffffffff };
      const decoded = PbBinPackage.toObject(PbBinPackage.decode(encodeBinPackage(other)));
      expect(decoded).toMatchObject({ type, timestamp: 0xffffffff });
    }
  });

  it('behavior: data and signature are views into the input (no copy)', () => {
    const encoded = encodeBinPackage(pkg);
    const decoded = decodeBinPackage(encoded);
    expect(decoded.data.buffer).toBe(encoded.buffer);
    expect(decoded.signature.buffer).toBe(encoded.buffer);
  });

  it('behavior: signedMessage is uint32 BE type ‖ data ‖ uint32 BE timestamp and signedDigest its sha256', () => {
    const data = bytes(0xaa, 0xbb);
    const message = signedMessage(PackageType.STATE, data, 0x01020304);
    expect(message).toEqual(bytes(0, 0, 0, 2, 0xaa, 0xbb, 1, 2, 3, 4));
    expect(signedDigest(PackageType.STATE, data, 0x01020304)).toEqual(sha256(message));
  });

  it('error: refuses to encode a signature that is not 64 bytes or a timestamp that is not uint32', () => {
    expect(() => encodeBinPackage({ ...pkg, signature: new Uint8Array(70) })).toThrow(
      'cannot encode BinPackage: field 4 (signature) must be 64 bytes r‖s, got 70; convert DER signatures to compact form',
    );
    expect(() => encodeBinPackage({ ...pkg, timestamp: 1.5 })).toThrow(
      'cannot encode BinPackage: timestamp must be whole seconds in [0, 4294967295], got 1.5; pass Math.floor(ms / 1000)',
    );
  });
});

describe('BinPackage decode errors', () => {
  const valid = encodeBinPackage({ type: PackageType.DATA, data: bytes(8, 1), timestamp: 300, signature: sig() });
  const SUFFIX = '; drop the payload and check that the sender speaks the Pebble Tracker v2 format';

  const cases: Array<[string, Uint8Array, string, string]> = [
    ['truncated varint', bytes(0x08, 0x80), 'truncated-varint', 'truncated varint at byte 1'],
    ['varint wider than 32 bits', bytes(0x18, 0x87, 0x80, 0x80, 0x80, 0x10), 'varint-overflow', 'varint at byte 1 does not fit in 32 bits'],
    ['varint longer than 10 bytes', bytes(0x18, ...new Array(10).fill(0xff), 0x01), 'varint-too-long', 'varint longer than 10 bytes at byte 1'],
    ['length past the end', bytes(0x12, 0x05, 1, 2), 'truncated-field', 'field 2 (data) declares 5 bytes at byte 1 but only 2 remain'],
    ['missing required field', valid.subarray(0, valid.length - 66), 'missing-required-field', 'missing required field 4 (signature)'],
    ['missing first field', valid.subarray(2), 'missing-required-field', 'missing required field 1 (type)'],
    ['wrong wire type', bytes(0x0a, 0x00), 'wrong-wire-type', 'wrong wire type 2 (len) for field 1 (type), expected 0 (varint)'],
    ['truncated signature', encodeBinPackage({ type: 0, data: bytes(), timestamp: 1, signature: sig() }).subarray(0, 70), 'truncated-field', 'field 4 (signature) declares 64 bytes at byte 7 but only 62 remain'],
    ['unknown enum value', bytes(0x08, 0x07), 'unknown-enum-value', 'unknown enum value 7 for field 1 (type) at byte 1, expected 0 DATA, 1 CONFIG or 2 STATE'],
    ['negative enum value', bytes(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 'unknown-enum-value', 'unknown enum value -1 for field 1 (type) at byte 1, expected 0 DATA, 1 CONFIG or 2 STATE'],
    ['zero padding', new Uint8Array([...valid, 0, 0, 0]), 'trailing-garbage', `trailing garbage: 3 zero bytes from byte ${valid.length}`],
    ['field number 0', new Uint8Array([...valid, 0, 1]), 'invalid-field-number', `invalid field number 0 in tag at byte ${valid.length}`],
    ['invalid wire type', new Uint8Array([...valid, 0x0f]), 'invalid-wire-type', `invalid wire type 7 for field 1 at byte ${valid.length}`],
    ['stray end group', new Uint8Array([...valid, 0x2c]), 'unexpected-end-group', 'end-group tag of field 5 without a start-group'],
    ['unclosed group', new Uint8Array([...valid, 0x2b]), 'truncated-field', 'group of field 5 is not closed before the end'],
  ];

  it.each(cases)('error: %s', (_name, input, reason, what) => {
    let caught: unknown;
    try {
      decodeBinPackage(input);
    } catch (error) {
      caught = error;
    }
    expect(isPinbenchError(caught, 'CODEC_DECODE_FAILED')).toBe(true);
    expect((caught as Error).message).toBe(`cannot decode BinPackage: ${what}${SUFFIX}`);
    expect((caught as { details: { reason: string } }).details.reason).toBe(reason);
  });

  it('error: a signature that is not 64 bytes', () => {
    const w = new ProtoWriter();
    w.tag(1, 0);
    w.varint32(0);
    w.tag(2, 2);
    w.bytes(bytes());
    w.tag(3, 0);
    w.varint32(1);
    w.tag(4, 2);
    w.bytes(new Uint8Array(71));
    expect(() => decodeBinPackage(w.finish())).toThrow(`cannot decode BinPackage: signature is 71 bytes, expected 64 (r‖s)${SUFFIX}`);
  });

  it('error: SensorData reasons name the message and field', () => {
    expect(() => decodeSensorData(bytes(0x5a, 0x02, 0x80, 0x80))).toThrow(
      `cannot decode SensorData: trailing garbage in packed field 11 (gyroscope): a varint at byte 2 runs past the field's end at byte 4${SUFFIX}`,
    );
    expect(() => decodeSensorData(bytes(0x6a, 0x02, 0xc3, 0x28))).toThrow(`cannot decode SensorData: field 13 (random) is not valid UTF-8${SUFFIX}`);
    expect(() => decodeSensorData(bytes(0x6d, 0, 0, 0, 0))).toThrow(`cannot decode SensorData: wrong wire type 5 (i32) for field 13 (random), expected 2 (len)${SUFFIX}`);
    expect(() => decodeSensorData(bytes(0x19, 0, 0, 0, 0, 0, 0, 0, 0))).toThrow(
      `cannot decode SensorData: wrong wire type 1 (i64) for field 3 (latitude), expected 0 (varint)${SUFFIX}`,
    );
  });

  it('error: random and truncated input only ever throws CODEC_DECODE_FAILED', () => {
    const good = encodeBinPackage({ type: 0, data: encodeSensorData(full), timestamp: 1_700_000_000, signature: sig() });
    const inputs: Uint8Array[] = [];
    for (let cut = 0; cut < good.length; cut++) inputs.push(good.subarray(0, cut));
    const r = seededRandom('fuzz', 'codec', 0);
    for (let n = 0; n < 3000; n++) {
      const input = new Uint8Array(Math.floor(r.next() * 120));
      for (let i = 0; i < input.length; i++) input[i] = Math.floor(r.next() * 256);
      inputs.push(input);
      const mutated = good.slice();
      mutated[Math.floor(r.next() * mutated.length)] = Math.floor(r.next() * 256);
      inputs.push(mutated);
    }
    for (const input of inputs) {
      for (const decode of [decodeBinPackage, decodeSensorData]) {
        try {
          decode(input);
        } catch (error) {
          if (!isPinbenchError(error, 'CODEC_DECODE_FAILED')) throw error;
        }
      }
    }
  });
});
