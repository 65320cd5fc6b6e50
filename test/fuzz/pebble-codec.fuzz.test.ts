import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBinPackage, encodeBinPackage } from '../../protocol/codec/bin-package.ts';
import { decodeConfirmPackage, encodeConfirmPackage } from '../../protocol/codec/confirm-package.ts';
import { decodeSensorConfig, encodeSensorConfig } from '../../protocol/codec/sensor-config.ts';
import { decodeSensorData, encodeSensorData } from '../../protocol/codec/sensor-data.ts';
import { binPackageArb, confirmPackageArb, mutatedBytes, sensorConfigArb, sensorDataArb } from './arbitraries.ts';
import { fuzzOptions, valueOrPinbenchError } from './fuzz-support.ts';

// Plain objects with plain Uint8Arrays, so toEqual compares contents whatever view a decoder returns.
const plain = (value: object): unknown => JSON.parse(JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));

/** A LEN field that claims 2^31 bytes: the decoder must refuse it, not allocate it. */
const CLAIMS_2_POW_31 = Uint8Array.from([0x12, 0x80, 0x80, 0x80, 0x80, 0x08]);

const decoders = [
  { name: 'BinPackage', decode: decodeBinPackage, valid: binPackageArb.map(encodeBinPackage) },
  { name: 'SensorData', decode: decodeSensorData, valid: sensorDataArb.map(encodeSensorData) },
  { name: 'SensorConfig', decode: decodeSensorConfig, valid: sensorConfigArb.map(encodeSensorConfig) },
  { name: 'ConfirmPackage', decode: decodeConfirmPackage, valid: confirmPackageArb.map(encodeConfirmPackage) },
] as const;

describe('fuzz: Pebble v2 protobuf decoders', () => {
  for (const { name, decode, valid } of decoders) {
    it(`${name}: any bytes give a message or CODEC_DECODE_FAILED`, () => {
      fc.assert(
        fc.property(mutatedBytes(valid), (bytes) => {
          valueOrPinbenchError(() => decode(bytes), ['CODEC_DECODE_FAILED']);
        }),
        fuzzOptions(400),
      );
    });

    it(`${name}: a length field claiming 2^31 bytes is refused as truncated`, () => {
      const error = valueOrPinbenchError(() => decode(CLAIMS_2_POW_31), ['CODEC_DECODE_FAILED']);
      expect(error).toMatchObject({ code: 'CODEC_DECODE_FAILED' });
    });
  }

  it('BinPackage: decode(encode(x)) = x', () => {
    fc.assert(fc.property(binPackageArb, (pkg) => {
        expect(plain(decodeBinPackage(encodeBinPackage(pkg)))).toEqual(plain(pkg));
      }), fuzzOptions(200));
  });

  it('SensorData: decode(encode(x)) = x (repeated fields decode as arrays)', () => {
    fc.assert(
      fc.property(sensorDataArb, (msg) => {
        const expected = { gyroscope: [], accelerometer: [], ...msg };
        expect(plain(decodeSensorData(encodeSensorData(msg)))).toEqual(plain(expected));
      }),
      fuzzOptions(200),
    );
  });

  it('SensorConfig: decode(encode(x)) = x', () => {
    fc.assert(fc.property(sensorConfigArb, (msg) => {
        expect(plain(decodeSensorConfig(encodeSensorConfig(msg)))).toEqual(plain(msg));
      }), fuzzOptions(200));
  });

  it('regression (FUZZ_SEED=2): SensorConfig { uploadPeriod: 0 } is refused by the encoder as the decoder refuses it', () => {
    expect(() => encodeSensorConfig({ uploadPeriod: 0 })).toThrow(
      expect.objectContaining({ code: 'CODEC_ENCODE_FAILED', message: expect.stringContaining('field 3 (uploadPeriod) must be at least 1 second, got 0') }),
    );
    expect(() => decodeSensorConfig(Uint8Array.from([0x18, 0x00]))).toThrow(expect.objectContaining({ code: 'CODEC_DECODE_FAILED' }));
  });

  it('ConfirmPackage: decode(encode(x)) = x', () => {
    fc.assert(
      fc.property(confirmPackageArb, (pkg) => {
        expect(plain(decodeConfirmPackage(encodeConfirmPackage(pkg)))).toEqual(plain(pkg));
      }),
      fuzzOptions(200),
    );
  });
});
