import fc from 'fast-check';
import type { BinPackage } from '../../protocol/codec/bin-package.ts';
import type { ConfirmPackage } from '../../protocol/codec/confirm-package.ts';
import type { SensorConfig } from '../../protocol/codec/sensor-config.ts';
import type { SensorData } from '../../protocol/codec/sensor-data.ts';
import { encodeSensorData } from '../../protocol/codec/sensor-data.ts';
import type { StatusPackage } from '../../protocol/codec/status-package.ts';

/** Valid messages of each Pebble v2 type: every field in its declared range, any subset of optional fields. */
const uint32 = fc.nat({ max: 0xffffffff });
const sint32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

export const sensorDataArb: fc.Arbitrary<SensorData> = fc.record(
  {
    snr: uint32,
    vbat: uint32,
    latitude: sint32,
    longitude: sint32,
    gasResistance: uint32,
    temperature: sint32,
    pressure: uint32,
    humidity: uint32,
    light: uint32,
    temperature2: uint32,
    gyroscope: fc.array(sint32, { maxLength: 4 }),
    accelerometer: fc.array(sint32, { maxLength: 4 }),
    random: fc.string({ unit: 'grapheme', maxLength: 16 }),
  },
  { requiredKeys: [] },
);

export const binPackageArb: fc.Arbitrary<BinPackage> = fc.record({
  type: fc.constantFrom(0, 1, 2) as fc.Arbitrary<BinPackage['type']>,
  data: fc.uint8Array({ maxLength: 64 }),
  timestamp: uint32,
  signature: bytes(64),
});

/** A DATA package whose `data` is canonical SensorData, the only kind the JSON form carries. */
export const dataPackageArb: fc.Arbitrary<BinPackage> = fc.record({
  type: fc.constant(0 as const),
  data: sensorDataArb.map(encodeSensorData),
  timestamp: uint32,
  signature: bytes(64),
});

export const sensorConfigArb: fc.Arbitrary<SensorConfig> = fc.record(
  {
    bulkUpload: uint32,
    dataChannel: uint32,
    // At least 1: a zero upload period is refused by both the encoder and the decoder.
    uploadPeriod: fc.integer({ min: 1, max: 0xffffffff }),
    bulkUploadSamplingCnt: uint32,
    bulkUploadSamplingFreq: uint32,
    beep: uint32,
    firmware: fc.string({ unit: 'grapheme', maxLength: 16 }),
    deviceConfigurable: fc.boolean(),
  },
  { requiredKeys: [] },
);

export const confirmPackageArb: fc.Arbitrary<ConfirmPackage> = fc.record({
  owner: bytes(20),
  timestamp: uint32,
  signature: bytes(64),
  channel: uint32,
});

export const statusPackageArb: fc.Arbitrary<StatusPackage> = fc.record(
  {
    status: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<StatusPackage['status']>,
    proposer: fc.string({ maxLength: 42 }),
    reason: fc.string({ maxLength: 20 }),
    firmware: fc.string({ maxLength: 12 }),
    version: fc.string({ maxLength: 8 }),
    uri: fc.string({ maxLength: 20 }),
    size: fc.nat(),
  },
  { requiredKeys: ['status'] },
);

/**
 * Bytes near a valid encoding: truncated, with bytes overwritten, or with bytes spliced in. Pure
 * random bytes mostly fail at the first tag; these reach the decoder's deeper branches.
 */
export function mutatedBytes(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.tuple(valid, fc.nat()).map(([b, cut]) => b.subarray(0, b.length === 0 ? 0 : cut % b.length)),
    fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 })).map(([b, edits]) => {
      const out = Uint8Array.from(b);
      for (const [at, value] of edits) if (out.length > 0) out[at % out.length] = value;
      return out;
    }),
    fc.tuple(valid, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 12 })).map(([b, at, insert]) => {
      const i = b.length === 0 ? 0 : at % b.length;
      return Uint8Array.from([...b.subarray(0, i), ...insert, ...b.subarray(i)]);
    }),
  );
}
