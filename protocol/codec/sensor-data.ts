import { FieldReader, zigzagDecode32 } from './reader.ts';
import { WireType, decodeError, encodeError } from './wire.ts';
import { ProtoWriter } from './writer.ts';

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

type ScalarName = Exclude<keyof SensorData, 'gyroscope' | 'accelerometer' | 'random'>;

/** Field numbers and types of the Pebble `SensorData` message. */
const SCALARS: ReadonlyArray<readonly [number, ScalarName, 'uint32' | 'sint32']> = [
  [1, 'snr', 'uint32'],
  [2, 'vbat', 'uint32'],
  [3, 'latitude', 'sint32'],
  [4, 'longitude', 'sint32'],
  [5, 'gasResistance', 'uint32'],
  [6, 'temperature', 'sint32'],
  [7, 'pressure', 'uint32'],
  [8, 'humidity', 'uint32'],
  [9, 'light', 'uint32'],
  [10, 'temperature2', 'uint32'],
];

const MESSAGE = 'SensorData';

function checkUint32(field: number, name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= 0xffffffff)) {
    throw encodeError(MESSAGE, `field ${field} (${name}) must be an integer in [0, 4294967295], got ${value}; apply the field's scale and round first`, {
      field,
      value,
    });
  }
}

function checkSint32(field: number, name: string, value: number): void {
  if ((value | 0) !== value) {
    throw encodeError(MESSAGE, `field ${field} (${name}) must be an integer in [-2147483648, 2147483647], got ${value}; apply the field's scale and round first`, {
      field,
      value,
    });
  }
}

/**
 * Writes `msg` into `writer` (appending). Repeated fields are written unpacked, the proto2
 * default for a field without `[packed=true]`, as the firmware's nanopb encoder does.
 */
export function writeSensorData(writer: ProtoWriter, msg: SensorData): void {
  for (const [field, name, kind] of SCALARS) {
    const value = msg[name];
    if (value === undefined) continue;
    if (kind === 'uint32') {
      checkUint32(field, name, value);
      writer.tag(field, WireType.VARINT);
      writer.varint32(value);
    } else {
      checkSint32(field, name, value);
      writer.tag(field, WireType.VARINT);
      writer.sint32(value);
    }
  }
  writeRepeatedSint32(writer, 11, 'gyroscope', msg.gyroscope);
  writeRepeatedSint32(writer, 12, 'accelerometer', msg.accelerometer);
  if (msg.random !== undefined) {
    if (typeof msg.random !== 'string') {
      throw encodeError(MESSAGE, `field 13 (random) must be a string, got ${typeof msg.random}`, { field: 13 });
    }
    writer.tag(13, WireType.LEN);
    writer.string(msg.random);
  }
}

function writeRepeatedSint32(writer: ProtoWriter, field: number, name: string, values: readonly number[] | undefined): void {
  if (values === undefined) return;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    checkSint32(field, `${name}[${i}]`, value);
    writer.tag(field, WireType.VARINT);
    writer.sint32(value);
  }
}

const sharedWriter = new ProtoWriter(128);

/** Encodes `msg` into a fresh array (the writer behind it is reused). */
export function encodeSensorData(msg: SensorData): Uint8Array {
  writeSensorData(sharedWriter.reset(), msg);
  return sharedWriter.finish();
}

/**
 * Decodes untrusted bytes. Throws only `CODEC_DECODE_FAILED` PinbenchErrors; unknown fields are
 * skipped and, for repeated fields, packed and unpacked encodings are both accepted (protobuf
 * encoding spec, "Packed Repeated Fields": parsers must accept both).
 */
export function decodeSensorData(bytes: Uint8Array): DecodedSensorData {
  const r = new FieldReader(bytes, MESSAGE);
  const out: DecodedSensorData = {
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
  };
  while (r.next()) {
    const field = r.field;
    if (field >= 1 && field <= 10) {
      const [, name, kind] = SCALARS[field - 1]!;
      out[name] = kind === 'uint32' ? r.uint32(name) : r.sint32(name);
    } else if (field === 11) {
      readRepeatedSint32(r, 'gyroscope', out.gyroscope);
    } else if (field === 12) {
      readRepeatedSint32(r, 'accelerometer', out.accelerometer);
    } else if (field === 13) {
      out.random = r.text('random');
    } else {
      r.skipField();
    }
  }
  return out;
}

function readRepeatedSint32(r: FieldReader, name: string, out: number[]): void {
  if (r.wireType === WireType.VARINT) {
    out.push(r.sint32(name));
    return;
  }
  const field = r.field;
  const [start, end] = r.range(name, '0 (varint) or 2 (packed)');
  r.pos = start;
  while (r.pos < end) {
    const at = r.pos;
    let value: number;
    try {
      value = r.varint32(end);
    } catch {
      throw decodeError(MESSAGE, 'trailing-garbage', `trailing garbage in packed field ${field} (${name}): a varint at byte ${at} runs past the field's end at byte ${end}`, {
        field,
        offset: at,
      });
    }
    out.push(zigzagDecode32(value));
  }
}
