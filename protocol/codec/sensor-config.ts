import { FieldReader } from './reader.ts';
import { WireType, decodeError, encodeError } from './wire.ts';
import { ProtoWriter } from './writer.ts';

/**
 * Pebble Tracker v2 `SensorConfig` (proto2, every field optional), as the firmware's
 * package.proto declares it: the backend sends it on `backend/<id>/config`, the device reports
 * its own in CONFIG BinPackages.
 */
export interface SensorConfig {
  /** Field 1: non-zero turns bulk upload on. */
  bulkUpload?: number | undefined;
  /** Field 2: which SensorData fields are sampled and sent (DATA_CHANNEL bits, see data-channel.ts). */
  dataChannel?: number | undefined;
  /** Field 3: seconds between uploads. */
  uploadPeriod?: number | undefined;
  /** Field 4: readings per bulk-upload burst. */
  bulkUploadSamplingCnt?: number | undefined;
  /** Field 5: seconds between bulk-upload bursts (the firmware's sampling "frequency" is a period). */
  bulkUploadSamplingFreq?: number | undefined;
  /** Field 6. */
  beep?: number | undefined;
  /** Field 7: firmware version string. */
  firmware?: string | undefined;
  /** Field 8. */
  deviceConfigurable?: boolean | undefined;
}

const MESSAGE = 'SensorConfig';
const UINTS: ReadonlyArray<readonly [number, 'bulkUpload' | 'dataChannel' | 'uploadPeriod' | 'bulkUploadSamplingCnt' | 'bulkUploadSamplingFreq' | 'beep']> = [
  [1, 'bulkUpload'],
  [2, 'dataChannel'],
  [3, 'uploadPeriod'],
  [4, 'bulkUploadSamplingCnt'],
  [5, 'bulkUploadSamplingFreq'],
  [6, 'beep'],
];

export function writeSensorConfig(writer: ProtoWriter, msg: SensorConfig): void {
  for (const [field, name] of UINTS) {
    const value = msg[name];
    if (value === undefined) continue;
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xffffffff)) {
      throw encodeError(MESSAGE, `field ${field} (${name}) must be an integer in [0, 4294967295], got ${value}`, { field, value });
    }
    // The decoder (and the firmware) refuse a zero upload period, so sending one would only be refused
    // on the device; found by the round-trip property in test/fuzz/pebble-codec.fuzz.test.ts.
    if (name === 'uploadPeriod' && value === 0) {
      throw encodeError(MESSAGE, 'field 3 (uploadPeriod) must be at least 1 second, got 0', { field, value });
    }
    writer.tag(field, WireType.VARINT);
    writer.varint32(value);
  }
  if (msg.firmware !== undefined) {
    writer.tag(7, WireType.LEN);
    writer.string(msg.firmware);
  }
  if (msg.deviceConfigurable !== undefined) {
    writer.tag(8, WireType.VARINT);
    writer.varint32(msg.deviceConfigurable ? 1 : 0);
  }
}

const sharedWriter = new ProtoWriter(64);

export function encodeSensorConfig(msg: SensorConfig): Uint8Array {
  writeSensorConfig(sharedWriter.reset(), msg);
  return sharedWriter.finish();
}

/** Decodes untrusted bytes; throws only `CODEC_DECODE_FAILED` PinbenchErrors; unknown fields are skipped. */
export function decodeSensorConfig(bytes: Uint8Array): SensorConfig {
  const r = new FieldReader(bytes, MESSAGE);
  const out: SensorConfig = {};
  while (r.next()) {
    const field = r.field;
    if (field >= 1 && field <= 6) {
      const name = UINTS[field - 1]![1];
      out[name] = r.uint32(name);
    } else if (field === 7) {
      out.firmware = r.text('firmware');
    } else if (field === 8) {
      out.deviceConfigurable = r.bool('deviceConfigurable');
    } else {
      r.skipField();
    }
  }
  if (out.uploadPeriod === 0) {
    throw decodeError(MESSAGE, 'invalid-value', 'field 3 (uploadPeriod) is 0; an upload period must be at least 1 second', { field: 3 });
  }
  return out;
}
