import { FieldReader, zigzagDecode32 } from './reader.ts';
import { WireType, decodeError, encodeError } from './wire.ts';
import { ProtoWriter } from './writer.ts';

/** Scalar types of the Pebble messages; each has one wire type (VARINT, or LEN for bytes and string). */
export type FieldType = 'uint32' | 'sint32' | 'bool' | 'enum' | 'bytes' | 'string';
/** proto2 labels. */
export type FieldKind = 'required' | 'optional' | 'repeated';

export interface FieldOptions<T> {
  /** enum: the value names, 0 up. */
  readonly values?: readonly string[];
  /** The field's own encode check, in place of its type's (a message of its own, a fixed length). */
  readonly check?: (value: T[keyof T]) => void;
}

/**
 * One field of a message table: [Pebble field number, name, type, kind, options]. Only varint
 * scalars are repeated in the Pebble messages, so only they can be (and be read packed).
 */
export type FieldRow<T> =
  | readonly [field: number, name: keyof T & string, type: FieldType, kind: 'required' | 'optional', options?: FieldOptions<T>]
  | readonly [field: number, name: keyof T & string, type: 'uint32' | 'sint32', kind: 'repeated'];

export interface MessageSpec<T, D extends T> {
  readonly message: string;
  readonly fields: ReadonlyArray<FieldRow<T>>;
  /** Capacity of the writer `encode` reuses. */
  readonly writerBytes: number;
  /** Appended to the encode error of an integer out of range. */
  readonly encodeHint?: string;
  /** A decoded message before its first field: every key it always has, so all results share one shape. */
  create(): D;
  /** Checks across fields after decoding, once the required ones are known to be there. */
  validate?(decoded: D): void;
}

/** A message's codec, made from its table by `defineMessage`. */
export interface MessageCodec<T, D extends T> {
  /** Appends `msg` to `writer`; on an error nothing is written. */
  write(writer: ProtoWriter, msg: T): void;
  /** Encodes `msg` into a fresh array (the writer behind it is reused). */
  encode(msg: T): Uint8Array;
  /** Decodes untrusted bytes; throws only `CODEC_DECODE_FAILED` PinbenchErrors; unknown fields are skipped. */
  decode(bytes: Uint8Array): D;
}

/** A table row made ready for the helpers below. */
interface Field {
  readonly message: string;
  readonly field: number;
  readonly name: string;
  readonly type: FieldType;
  readonly kind: FieldKind;
  /** The tag written before each value: field << 3 | wire type. */
  readonly tag: number;
  readonly hint: string;
  /** enum: "0 DATA, 1 CONFIG or 2 STATE". */
  readonly expected: string;
  readonly valueCount: number;
  readonly check: ((value: unknown) => void) | undefined;
}

function compileField<T>(message: string, hint: string, [field, name, type, kind, options = {}]: FieldRow<T>): Field {
  const listed = (options.values ?? []).map((value, i) => `${i} ${value}`);
  return {
    message,
    field,
    name,
    type,
    kind,
    tag: field * 8 + (type === 'bytes' || type === 'string' ? WireType.LEN : WireType.VARINT),
    hint,
    expected: listed.length > 1 ? `${listed.slice(0, -1).join(', ')} or ${listed.at(-1)}` : listed.join(''),
    valueCount: listed.length,
    check: options.check as ((value: unknown) => void) | undefined,
  };
}

const label = (f: Field, index: number): string => (index < 0 ? f.name : `${f.name}[${index}]`);

// Encode checks; `index` ≥ 0 names an element of a repeated field.
function checkUint32(f: Field, value: number, index: number): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= 0xffffffff)) {
    throw encodeError(f.message, `field ${f.field} (${label(f, index)}) must be an integer in [0, 4294967295], got ${value}${f.hint}`, { field: f.field, value });
  }
}

function checkSint32(f: Field, value: number, index: number): void {
  if ((value | 0) !== value) {
    throw encodeError(f.message, `field ${f.field} (${label(f, index)}) must be an integer in [-2147483648, 2147483647], got ${value}${f.hint}`, { field: f.field, value });
  }
}

function checkEnum(f: Field, value: number): void {
  if (!(Number.isInteger(value) && value >= 0 && value < f.valueCount)) {
    throw encodeError(f.message, `field ${f.field} (${f.name}) must be ${f.expected}, got ${value}`, { field: f.field, value });
  }
}

function checkString(f: Field, value: unknown): void {
  if (typeof value !== 'string') throw encodeError(f.message, `field ${f.field} (${f.name}) must be a string, got ${typeof value}`, { field: f.field });
}

function readEnum(r: FieldReader, f: Field): number {
  r.expect(WireType.VARINT, f.name);
  const at = r.pos;
  const value = r.varint32() | 0; // enums are int32 on the wire
  if (!(value >= 0 && value < f.valueCount)) {
    throw decodeError(f.message, 'unknown-enum-value', `unknown enum value ${value} for field ${f.field} (${f.name}) at byte ${at}, expected ${f.expected}`, {
      field: f.field,
      value,
      offset: at,
    });
  }
  return value;
}

function readRepeated(r: FieldReader, f: Field, out: number[]): void {
  const zigzag = f.type === 'sint32';
  if (r.wireType === WireType.VARINT) {
    out.push(zigzag ? r.sint32(f.name) : r.uint32(f.name));
    return;
  }
  const [start, end] = r.range(f.name, '0 (varint) or 2 (packed)');
  r.pos = start;
  while (r.pos < end) {
    const at = r.pos;
    let value: number;
    try {
      value = r.varint32(end);
    } catch {
      throw decodeError(f.message, 'trailing-garbage', `trailing garbage in packed field ${f.field} (${f.name}): a varint at byte ${at} runs past the field's end at byte ${end}`, {
        field: f.field,
        offset: at,
      });
    }
    out.push(zigzag ? zigzagDecode32(value) : value);
  }
}

const HELPERS = { FieldReader, checkUint32, checkSint32, checkEnum, checkString, readEnum, readRepeated };

const WRITE_VALUE: Readonly<Record<FieldType, string>> = {
  uint32: 'writer.varint32(v)',
  enum: 'writer.varint32(v)',
  sint32: 'writer.sint32(v)',
  bool: 'writer.varint32(v ? 1 : 0)',
  bytes: 'writer.bytes(v)',
  string: 'writer.string(v)',
};

function checkSource(f: Field, i: number): string {
  if (f.check !== undefined) return `F[${i}].check(v);`;
  if (f.type === 'uint32') return `checkUint32(F[${i}], v, -1);`;
  if (f.type === 'sint32') return `checkSint32(F[${i}], v, -1);`;
  if (f.type === 'enum') return `checkEnum(F[${i}], v);`;
  if (f.type === 'string') return `checkString(F[${i}], v);`;
  return '';
}

function writerSource(fields: readonly Field[]): string {
  const lines = fields.map((f, i) => {
    const key = JSON.stringify(f.name);
    if (f.kind === 'repeated') {
      const check = f.type === 'uint32' ? 'checkUint32' : 'checkSint32';
      const write = WRITE_VALUE[f.type].replace('(v)', '(vs[j])');
      return `{ const vs = msg[${key}]; if (vs !== undefined) for (let j = 0; j < vs.length; j++) { ${check}(F[${i}], vs[j], j); writer.varint32(${f.tag}); ${write}; } }`;
    }
    const body = `${checkSource(f, i)} writer.varint32(${f.tag}); ${WRITE_VALUE[f.type]};`;
    return `{ const v = msg[${key}]; ${f.kind === 'required' ? body : `if (v !== undefined) { ${body} }`} }`;
  });
  return `return function write(writer, msg) {
  const start = writer.pos;
  try {
    ${lines.join('\n    ')}
  } catch (error) {
    writer.pos = start;
    throw error;
  }
};`;
}

const READ_VALUE: Readonly<Record<FieldType, (key: string, i: number) => string>> = {
  uint32: (key) => `r.uint32(${key})`,
  sint32: (key) => `r.sint32(${key})`,
  bool: (key) => `r.bool(${key})`,
  enum: (_key, i) => `readEnum(r, F[${i}])`,
  bytes: (key) => `r.bytes(${key})`,
  string: (key) => `r.text(${key})`,
};

function readerSource(message: string, fields: readonly Field[], hasRequired: boolean, hasValidate: boolean): string {
  const cases = fields.map((f, i) => {
    const key = JSON.stringify(f.name);
    const read = f.kind === 'repeated' ? `readRepeated(r, F[${i}], out[${key}])` : `out[${key}] = ${READ_VALUE[f.type](key, i)}`;
    return `case ${f.field}: ${read}; break;`;
  });
  return `return function decode(bytes) {
  const r = new FieldReader(bytes, ${JSON.stringify(message)});
  const out = spec.create();
  while (r.next()) {
    switch (r.field) {
      ${cases.join('\n      ')}
      default: r.skipField();
    }
  }
  ${hasRequired ? 'r.requireFields(required);' : ''}
  ${hasValidate ? 'spec.validate(out);' : ''}
  return out;
};`;
}

function compile<F>(source: string, scope: Record<string, unknown>): F {
  const names = Object.keys(scope);
  return new Function(...names, `'use strict';\n${source}`)(...names.map((name) => scope[name])) as F;
}

/**
 * The codec of a message declared once as a table of its fields (proto2). Integers are
 * range-checked on encode, enums and UTF-8 on decode; a repeated field is written unpacked (the
 * proto2 default, as the firmware's nanopb encoder does) and read packed or unpacked (protobuf
 * encoding spec, "Packed Repeated Fields": parsers must accept both); a scalar seen twice keeps
 * its last value ("Last One Wins"); unknown fields are skipped.
 *
 * Each table is compiled into a writer and a reader of its own, straight-line code with the
 * field names as constants, as protobufjs does: V8 keeps type feedback per function, and one
 * loop interpreting all four tables decoded ~25 % slower than the hand-written decoders it
 * replaced (test/bench/codec.ts). The generated code only dispatches; every check and error is
 * in the typed helpers above.
 */
export function defineMessage<T, D extends T = T>(spec: MessageSpec<T, D>): MessageCodec<T, D> {
  const { message } = spec;
  const fields = spec.fields.map((row) => compileField(message, spec.encodeHint ?? '', row));
  const required: Array<string | undefined> = [];
  for (const f of fields) if (f.kind === 'required') required[f.field] = f.name;
  const scope = { ...HELPERS, F: fields, spec, required };
  const write = compile<MessageCodec<T, D>['write']>(writerSource(fields), scope);
  const decode = compile<MessageCodec<T, D>['decode']>(readerSource(message, fields, required.length > 0, spec.validate !== undefined), scope);
  const sharedWriter = new ProtoWriter(spec.writerBytes);
  const encode = (msg: T): Uint8Array => {
    write(sharedWriter.reset(), msg);
    return sharedWriter.finish();
  };
  return { write, encode, decode };
}
