import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { PinbenchError } from '../../core/errors.ts';
import { PackageType, SIGNATURE_BYTES, decodeBinPackage, type BinPackage } from './bin-package.ts';
import { decodeSensorData, encodeSensorData, type SensorData } from './sensor-data.ts';
import { encodeError, type DecodeReason } from './wire.ts';

/**
 * The JSON form of a `BinPackage` (scenario `codec: json`, docs/codec-json.md):
 *
 *     {"type":"DATA","timestamp":1767225600,
 *      "data":{"snr":1900,"vbat":4167,"latitude":525200000,…,"gyroscope":[-2,3,1],"random":"E191…"},
 *      "signature":"<128 hex characters: r‖s>"}
 *
 * `data` holds the `SensorData` fields under their protobuf names, in the same integer units
 * (latitude/longitude degrees ×1e7, temperature °C ×100, …); a field the device left out is left
 * out. The signature is over the same bytes as in the protobuf form: sha256(u32be type ‖ data ‖
 * u32be timestamp), where `data` is the SensorData in its canonical protobuf encoding (fields in
 * number order, each at most once, repeated fields unpacked), the encoding the firmware and
 * pinbench's devices write. The reader below rebuilds exactly those bytes, so a package converted
 * to JSON and back verifies unchanged.
 *
 * CONFIG and STATE packages carry no SensorData; their `data` is the raw bytes as lower-case hex.
 */

const MESSAGE = 'BinPackage JSON';
const TYPE_NAMES = ['DATA', 'CONFIG', 'STATE'] as const;
export type JsonPackageType = (typeof TYPE_NAMES)[number];

type IntKind = 'uint32' | 'sint32';
type ScalarName = Exclude<keyof SensorData, 'gyroscope' | 'accelerometer' | 'random'>;

/** SensorData's fields in field-number order, with their protobuf type and unit (for messages and docs). */
export const JSON_SENSOR_FIELDS: ReadonlyArray<
  | { readonly name: ScalarName; readonly field: number; readonly kind: IntKind; readonly unit: string }
  | { readonly name: 'gyroscope' | 'accelerometer'; readonly field: number; readonly kind: 'repeated sint32'; readonly unit: string }
  | { readonly name: 'random'; readonly field: number; readonly kind: 'string'; readonly unit: string }
> = [
  { name: 'snr', field: 1, kind: 'uint32', unit: 'dB ×100' },
  { name: 'vbat', field: 2, kind: 'uint32', unit: 'mV' },
  { name: 'latitude', field: 3, kind: 'sint32', unit: 'degrees ×1e7' },
  { name: 'longitude', field: 4, kind: 'sint32', unit: 'degrees ×1e7' },
  { name: 'gasResistance', field: 5, kind: 'uint32', unit: 'Ω ×100' },
  { name: 'temperature', field: 6, kind: 'sint32', unit: '°C ×100' },
  { name: 'pressure', field: 7, kind: 'uint32', unit: 'hPa ×100' },
  { name: 'humidity', field: 8, kind: 'uint32', unit: '%RH ×100' },
  { name: 'light', field: 9, kind: 'uint32', unit: 'lx ×100' },
  { name: 'temperature2', field: 10, kind: 'uint32', unit: '°C ×100' },
  { name: 'gyroscope', field: 11, kind: 'repeated sint32', unit: 'raw counts (16.4 per °/s)' },
  { name: 'accelerometer', field: 12, kind: 'repeated sint32', unit: 'raw counts (8192 per g)' },
  { name: 'random', field: 13, kind: 'string', unit: 'text' },
];

const SENSOR_FIELD_NAMES = new Set<string>(JSON_SENSOR_FIELDS.map((f) => f.name));
const PACKAGE_KEYS = ['type', 'timestamp', 'data', 'signature'] as const;
const PACKAGE_KEY_SET = new Set<string>(PACKAGE_KEYS);

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

function jsonDecodeError(reason: DecodeReason, what: string, field?: string): PinbenchError {
  return new PinbenchError(
    'CODEC_DECODE_FAILED',
    `cannot decode ${MESSAGE}: ${what}; drop the payload and check that the sender speaks the JSON form of docs/codec-json.md`,
    { details: { message: MESSAGE, reason, ...(field === undefined ? {} : { field }) } },
  );
}

/** A value as a message shows it: JSON, cut short. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${shown(value)}`;
}

// ---------------------------------------------------------------------------------------------
// BinPackage bytes → JSON

/** The JSON object of a SensorData, fields in number order, absent ones (and empty repeated fields) left out. */
function sensorDataObject(data: SensorData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name } of JSON_SENSOR_FIELDS) {
    const value = data[name];
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[name] = value;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The JSON form of a package's fields, as UTF-8. Throws `CODEC_ENCODE_FAILED` when a DATA
 * package's `data` is not canonical SensorData: its JSON form would rebuild other bytes, and the
 * signature would no longer verify.
 */
export function encodeJsonPackage(pkg: BinPackage): Uint8Array {
  let data: unknown;
  if (pkg.type === PackageType.DATA) {
    let sensor;
    try {
      sensor = decodeSensorData(pkg.data);
    } catch (cause) {
      throw encodeError(MESSAGE, `field "data" is not a SensorData (${(cause as Error).message})`, { field: 'data' });
    }
    if (!sameBytes(encodeSensorData(sensor), pkg.data)) {
      throw encodeError(
        MESSAGE,
        'field "data" is not canonical SensorData (fields in number order, each once, repeated fields unpacked, no unknown fields): its JSON form would rebuild other bytes and the signature would not verify',
        { field: 'data' },
      );
    }
    data = sensorDataObject(sensor);
  } else {
    data = bytesToHex(pkg.data);
  }
  if (pkg.signature.length !== SIGNATURE_BYTES) {
    throw encodeError(MESSAGE, `field "signature" must be ${SIGNATURE_BYTES} bytes r‖s, got ${pkg.signature.length}`, { field: 'signature' });
  }
  const json = { type: TYPE_NAMES[pkg.type], timestamp: pkg.timestamp, data, signature: bytesToHex(pkg.signature) };
  return textEncoder.encode(JSON.stringify(json));
}

/** A protobuf `BinPackage` (as a device encodes it) in its JSON form, as UTF-8. Throws on bytes that are not a BinPackage. */
export function binPackageToJson(pkgBytes: Uint8Array): Uint8Array {
  return encodeJsonPackage(decodeBinPackage(pkgBytes));
}

// ---------------------------------------------------------------------------------------------
// JSON → BinPackage fields

function checkInteger(path: string, kind: IntKind, unit: string, value: unknown): number {
  const ok =
    typeof value === 'number' &&
    Number.isInteger(value) &&
    (kind === 'uint32' ? value >= 0 && value <= 0xffffffff : value >= -0x80000000 && value <= 0x7fffffff);
  if (!ok) {
    const range = kind === 'uint32' ? '[0, 4294967295]' : '[-2147483648, 2147483647]';
    const hint = value === null ? '; leave an absent field out instead of null' : '';
    throw jsonDecodeError('invalid-value', `field "${path}" must be an integer in ${range} (${kind}, ${unit}), got ${typeOf(value)}${hint}`, path);
  }
  return value === 0 ? 0 : (value as number); // -0 as 0
}

function readSensorData(value: unknown): SensorData {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw jsonDecodeError('invalid-value', `field "data" must be an object of SensorData fields for a DATA package, got ${typeOf(value)}`, 'data');
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!SENSOR_FIELD_NAMES.has(key)) {
      throw jsonDecodeError('unknown-field', `unknown field "data.${key}"; SensorData has ${[...SENSOR_FIELD_NAMES].join(', ')}`, `data.${key}`);
    }
  }
  const out: { -readonly [K in keyof SensorData]: SensorData[K] } = {};
  for (const spec of JSON_SENSOR_FIELDS) {
    const v = o[spec.name];
    if (v === undefined) continue;
    const path = `data.${spec.name}`;
    if (spec.kind === 'string') {
      if (typeof v !== 'string') throw jsonDecodeError('invalid-value', `field "${path}" must be a string, got ${typeOf(v)}`, path);
      // A lone surrogate ("\ud800") has no UTF-8 form: the protobuf bytes would hold U+FFFD instead.
      if (LONE_SURROGATE.test(v)) throw jsonDecodeError('invalid-value', `field "${path}" must be Unicode text, got a lone surrogate in ${shown(v)}`, path);
      out.random = v;
    } else if (spec.kind === 'repeated sint32') {
      if (!Array.isArray(v)) throw jsonDecodeError('invalid-value', `field "${path}" must be an array of integers (sint32, ${spec.unit}), got ${typeOf(v)}`, path);
      out[spec.name] = v.map((item, i) => checkInteger(`${path}[${i}]`, 'sint32', spec.unit, item));
    } else {
      out[spec.name] = checkInteger(path, spec.kind, spec.unit, v);
    }
  }
  return out;
}

function readType(value: unknown): PackageType {
  const index = typeof value === 'string' ? TYPE_NAMES.indexOf(value as JsonPackageType) : -1;
  if (index < 0) {
    const reason: DecodeReason = typeof value === 'string' ? 'unknown-enum-value' : 'invalid-value';
    throw jsonDecodeError(reason, `field "type" must be "DATA", "CONFIG" or "STATE", got ${typeOf(value)}`, 'type');
  }
  return index as PackageType;
}

const HEX = /^[0-9a-fA-F]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function readSignature(value: unknown): Uint8Array {
  if (typeof value !== 'string') {
    throw jsonDecodeError('invalid-value', `field "signature" must be a string of ${2 * SIGNATURE_BYTES} hex characters (${SIGNATURE_BYTES} bytes r‖s), got ${typeOf(value)}`, 'signature');
  }
  if (!HEX.test(value)) {
    throw jsonDecodeError('invalid-value', `field "signature" must be hex (0-9, a-f), got ${shown(value)}`, 'signature');
  }
  if (value.length !== 2 * SIGNATURE_BYTES) {
    throw jsonDecodeError(
      'bad-signature-length',
      `field "signature" must be ${2 * SIGNATURE_BYTES} hex characters (${SIGNATURE_BYTES} bytes r‖s), got ${value.length} characters (a DER signature must be converted to compact r‖s)`,
      'signature',
    );
  }
  return hexToBytes(value);
}

function readRawData(value: unknown): Uint8Array {
  if (typeof value !== 'string' || !HEX.test(value) || value.length % 2 !== 0) {
    throw jsonDecodeError('invalid-value', `field "data" must be the package's bytes as hex for a CONFIG or STATE package, got ${typeOf(value)}`, 'data');
  }
  return hexToBytes(value);
}

/**
 * Reads the JSON form of a package (untrusted bytes) into the BinPackage fields, with `data` the
 * SensorData re-encoded canonically: the bytes the signature was made over. Throws only
 * `CODEC_DECODE_FAILED` PinbenchErrors, whose message names the field and what was expected.
 */
export function jsonToBinPackage(jsonBytes: Uint8Array): BinPackage {
  let text: string;
  try {
    text = textDecoder.decode(jsonBytes);
  } catch {
    throw jsonDecodeError('invalid-utf8', 'the payload is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw jsonDecodeError('invalid-json', `not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw jsonDecodeError('invalid-json', `expected a JSON object with ${PACKAGE_KEYS.join(', ')}, got ${typeOf(parsed)}`);
  }
  const o = parsed as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!PACKAGE_KEY_SET.has(key)) throw jsonDecodeError('unknown-field', `unknown field "${key}"; a package has only ${PACKAGE_KEYS.join(', ')}`, key);
  }
  for (const key of PACKAGE_KEYS) {
    if (o[key] === undefined) throw jsonDecodeError('missing-required-field', `missing required field "${key}"`, key);
  }
  const type = readType(o.type);
  const timestamp = checkInteger('timestamp', 'uint32', 'seconds since the Unix epoch', o.timestamp);
  const data = type === PackageType.DATA ? encodeSensorData(readSensorData(o.data)) : readRawData(o.data);
  const signature = readSignature(o.signature);
  return { type, data, timestamp, signature };
}
