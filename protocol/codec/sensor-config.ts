import { defineMessage } from './message.ts';
import { decodeError } from './wire.ts';
import type { ProtoWriter } from './writer.ts';

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

/** Pebble field numbers and types of `SensorConfig`. */
const SENSOR_CONFIG = defineMessage<SensorConfig>({
  message: MESSAGE,
  fields: [
    [1, 'bulkUpload', 'uint32', 'optional'],
    [2, 'dataChannel', 'uint32', 'optional'],
    [3, 'uploadPeriod', 'uint32', 'optional'],
    [4, 'bulkUploadSamplingCnt', 'uint32', 'optional'],
    [5, 'bulkUploadSamplingFreq', 'uint32', 'optional'],
    [6, 'beep', 'uint32', 'optional'],
    [7, 'firmware', 'string', 'optional'],
    [8, 'deviceConfigurable', 'bool', 'optional'],
  ],
  writerBytes: 64,
  // Absent fields stay absent keys: a config is applied field by field (devices/tracker/downlink.ts).
  create: () => ({}),
  validate(config) {
    if (config.uploadPeriod === 0) {
      throw decodeError(MESSAGE, 'invalid-value', 'field 3 (uploadPeriod) is 0; an upload period must be at least 1 second', { field: 3 });
    }
  },
});

export const writeSensorConfig: (writer: ProtoWriter, msg: SensorConfig) => void = SENSOR_CONFIG.write;

export const encodeSensorConfig: (msg: SensorConfig) => Uint8Array = SENSOR_CONFIG.encode;

/** Decodes untrusted bytes; throws only `CODEC_DECODE_FAILED` PinbenchErrors; unknown fields are skipped. */
export const decodeSensorConfig: (bytes: Uint8Array) => SensorConfig = SENSOR_CONFIG.decode;
