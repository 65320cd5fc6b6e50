import { defineMessage } from './message.ts';
import type { ProtoWriter } from './writer.ts';

/**
 * Pebble Tracker v2 `SensorData` (proto2, every field optional). Units are the firmware's fixed
 * point: latitude/longitude degrees ×1e7, temperature °C ×100; see devices/sensors/scales.ts for
 * the rest.
 */
export interface SensorData {
  snr?: number | undefined;
  vbat?: number | undefined;
  latitude?: number | undefined;
  longitude?: number | undefined;
  gasResistance?: number | undefined;
  temperature?: number | undefined;
  pressure?: number | undefined;
  humidity?: number | undefined;
  light?: number | undefined;
  temperature2?: number | undefined;
  gyroscope?: readonly number[] | undefined;
  accelerometer?: readonly number[] | undefined;
  random?: string | undefined;
}

/** What `decodeSensorData` returns: repeated fields are always arrays (possibly empty). */
export interface DecodedSensorData extends SensorData {
  gyroscope: number[];
  accelerometer: number[];
}

const MESSAGE = 'SensorData';

/** Pebble field numbers and types of `SensorData`, with the fixed-point unit each integer is in (devices/sensors/scales.ts). */
const SENSOR_DATA = defineMessage<SensorData, DecodedSensorData>({
  message: MESSAGE,
  fields: [
    [1, 'snr', 'uint32', 'optional'], // dB ×100
    [2, 'vbat', 'uint32', 'optional'], // mV
    [3, 'latitude', 'sint32', 'optional'], // degrees ×1e7
    [4, 'longitude', 'sint32', 'optional'], // degrees ×1e7
    [5, 'gasResistance', 'uint32', 'optional'], // Ω ×100
    [6, 'temperature', 'sint32', 'optional'], // °C ×100
    [7, 'pressure', 'uint32', 'optional'], // hPa ×100
    [8, 'humidity', 'uint32', 'optional'], // %RH ×100
    [9, 'light', 'uint32', 'optional'], // lx ×100
    [10, 'temperature2', 'uint32', 'optional'], // °C ×100
    [11, 'gyroscope', 'sint32', 'repeated'], // raw ICM-42605 counts
    [12, 'accelerometer', 'sint32', 'repeated'], // raw ICM-42605 counts
    [13, 'random', 'string', 'optional'], // 16 random hex digits
  ],
  writerBytes: 128,
  encodeHint: "; apply the field's scale and round first",
  create: () => ({
    snr: undefined,
    vbat: undefined,
    latitude: undefined,
    longitude: undefined,
    gasResistance: undefined,
    temperature: undefined,
    pressure: undefined,
    humidity: undefined,
    light: undefined,
    temperature2: undefined,
    gyroscope: [],
    accelerometer: [],
    random: undefined,
  }),
});

/**
 * Writes `msg` into `writer` (appending). Repeated fields are written unpacked, the proto2
 * default for a field without `[packed=true]`, as the firmware's nanopb encoder does.
 */
export const writeSensorData: (writer: ProtoWriter, msg: SensorData) => void = SENSOR_DATA.write;

/** Encodes `msg` into a fresh array (the writer behind it is reused). */
export const encodeSensorData: (msg: SensorData) => Uint8Array = SENSOR_DATA.encode;

/**
 * Decodes untrusted bytes. Throws only `CODEC_DECODE_FAILED` PinbenchErrors; unknown fields are
 * skipped and, for repeated fields, packed and unpacked encodings are both accepted (protobuf
 * encoding spec, "Packed Repeated Fields": parsers must accept both).
 */
export const decodeSensorData: (bytes: Uint8Array) => DecodedSensorData = SENSOR_DATA.decode;
