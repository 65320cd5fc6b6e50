import { WireType, decodeError, wireTypeName } from './wire.ts';

const textDecoder = new TextDecoder('utf-8', { fatal: true });

const MAX_GROUP_DEPTH = 32;

/**
 * A cursor over untrusted bytes. Every failure is a `CODEC_DECODE_FAILED` PinbenchError naming
 * the message, the reason and the byte offset; nothing else is thrown.
 */
export class ProtoReader {
  pos = 0;
  readonly end: number;

  constructor(
    readonly buf: Uint8Array,
    readonly message: string,
  ) {
    this.end = buf.length;
  }

  /**
   * A varint that must fit in 32 bits: zero-extended, or sign-extended to ten bytes (a negative
   * int32). Wider values are refused rather than truncated, as nanopb (the firmware's decoder)
   * does: otherwise bits 32–34 of a 5-byte timestamp could be flipped without changing the
   * decoded value, leaving the signature valid over altered bytes.
   */
  varint32(limit = this.end): number {
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    let value = 0;
    let upperZero = true;
    let upperOnes = true;
    for (let i = 0; i < 10; i++) {
      if (p >= limit) {
        throw decodeError(this.message, 'truncated-varint', `truncated varint at byte ${start}`, { offset: start });
      }
      const b = buf[p++]!;
      if (i < 4) value |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        value |= (b & 0x0f) << 28;
        const upper = (b >> 4) & 0x07;
        upperZero = upper === 0;
        upperOnes = upper === 0x07;
      } else {
        const upper = b & 0x7f;
        upperZero &&= upper === 0;
        upperOnes &&= upper === (i === 9 ? 0x01 : 0x7f);
      }
      if (b < 0x80) {
        if (i >= 4 && !upperZero && !(upperOnes && i === 9 && value < 0)) {
          throw decodeError(this.message, 'varint-overflow', `varint at byte ${start} does not fit in 32 bits`, { offset: start });
        }
        this.pos = p;
        return value >>> 0;
      }
    }
    throw decodeError(this.message, 'varint-too-long', `varint longer than 10 bytes at byte ${start}`, { offset: start });
  }

  /** Skips a varint of any width up to 64 bits (an unknown field may be an int64). */
  skipVarint(): void {
    const start = this.pos;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) {
        throw decodeError(this.message, 'truncated-varint', `truncated varint at byte ${start}`, { offset: start });
      }
      if (this.buf[this.pos++]! < 0x80) return;
    }
    throw decodeError(this.message, 'varint-too-long', `varint longer than 10 bytes at byte ${start}`, { offset: start });
  }

  /** Reads a LEN prefix and returns the [start, end) of its payload, checked against the input. */
  lengthDelimited(field: number, name: string): [number, number] {
    const at = this.pos;
    const length = this.varint32();
    const start = this.pos;
    if (length > this.end - start) {
      throw decodeError(
        this.message,
        'truncated-field',
        `field ${field} (${name}) declares ${length} bytes at byte ${at} but only ${this.end - start} remain`,
        { field, offset: at, length, remaining: this.end - start },
      );
    }
    this.pos = start + length;
    return [start, start + length];
  }

  string(field: number, name: string): string {
    const [start, end] = this.lengthDelimited(field, name);
    const buf = this.buf;
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
    try {
      return textDecoder.decode(buf.subarray(start, end));
    } catch (cause) {
      throw decodeError(this.message, 'invalid-utf8', `field ${field} (${name}) is not valid UTF-8`, {
        field,
        offset: start,
        cause,
      });
    }
  }

  /**
   * Reads a tag; returns `field << 3 | wireType` with the field number validated. Zero bytes where
   * a tag should be are reported as trailing garbage when they run to the end of the input: the
   * typical case of a sender that published its whole zero-filled buffer.
   */
  tag(): number {
    const at = this.pos;
    const tag = this.varint32();
    const wireType = tag & 7;
    if (tag >>> 3 === 0) {
      let allZero = true;
      for (let i = at; i < this.end; i++) {
        if (this.buf[i] !== 0) {
          allZero = false;
          break;
        }
      }
      if (allZero) {
        throw decodeError(this.message, 'trailing-garbage', `trailing garbage: ${this.end - at} zero bytes from byte ${at}`, {
          offset: at,
        });
      }
      throw decodeError(this.message, 'invalid-field-number', `invalid field number 0 in tag at byte ${at}`, { offset: at });
    }
    if (wireType > 5) {
      throw decodeError(this.message, 'invalid-wire-type', `invalid wire type ${wireType} for field ${tag >>> 3} at byte ${at}`, {
        field: tag >>> 3,
        wireType,
        offset: at,
      });
    }
    return tag;
  }

  /** Skips an unknown field (protobuf language guide, "Updating A Message Type": unknown fields are ignored). */
  skip(tag: number, depth = 0): void {
    const field = tag >>> 3;
    switch (tag & 7) {
      case WireType.VARINT:
        this.skipVarint();
        return;
      case WireType.I64:
        this.fixed(field, 8);
        return;
      case WireType.LEN:
        this.lengthDelimited(field, 'unknown');
        return;
      case WireType.I32:
        this.fixed(field, 4);
        return;
      case WireType.SGROUP: {
        if (depth >= MAX_GROUP_DEPTH) {
          throw decodeError(this.message, 'group-too-deep', `groups nested deeper than ${MAX_GROUP_DEPTH} at byte ${this.pos}`, {
            offset: this.pos,
          });
        }
        for (;;) {
          if (this.pos >= this.end) {
            throw decodeError(this.message, 'truncated-field', `group of field ${field} is not closed before the end`, { field });
          }
          const inner = this.tag();
          if ((inner & 7) === WireType.EGROUP) {
            if (inner >>> 3 !== field) {
              throw decodeError(this.message, 'unexpected-end-group', `end-group tag of field ${inner >>> 3} closes group ${field}`, {
                field,
              });
            }
            return;
          }
          this.skip(inner, depth + 1);
        }
      }
      default:
        throw decodeError(this.message, 'unexpected-end-group', `end-group tag of field ${field} without a start-group`, {
          field,
          offset: this.pos,
        });
    }
  }

  private fixed(field: number, size: number): void {
    if (this.end - this.pos < size) {
      throw decodeError(this.message, 'truncated-field', `field ${field} needs ${size} bytes at byte ${this.pos} but only ${this.end - this.pos} remain`, {
        field,
        offset: this.pos,
      });
    }
    this.pos += size;
  }

  wrongWireType(tag: number, name: string, expected: string): never {
    const field = tag >>> 3;
    throw decodeError(
      this.message,
      'wrong-wire-type',
      `wrong wire type ${tag & 7} (${wireTypeName(tag & 7)}) for field ${field} (${name}), expected ${expected}`,
      { field, wireType: tag & 7 },
    );
  }
}

const EXPECTED: Readonly<Record<number, string>> = { [WireType.VARINT]: '0 (varint)', [WireType.LEN]: '2 (len)' };

/**
 * Field-by-field reading of one message, the loop every decoder shares: `next()` reads a tag,
 * then a typed read (`uint32`, `sint32`, `bool`, `bytes`, `text`, `range`) checks the field's wire
 * type and consumes its value, or `skipField()` passes over it. Fields read by a typed read are
 * recorded for `requireFields`. Every failure is a `CODEC_DECODE_FAILED` PinbenchError, as in
 * ProtoReader.
 */
export class FieldReader extends ProtoReader {
  /** Number of the field `next()` last read the tag of. */
  field = 0;
  /** Wire type of that field. */
  wireType = 0;
  private fieldTag = 0;
  private seen = 0;

  /** Reads the next tag; false at the end of the input. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const tag = this.tag();
    this.fieldTag = tag;
    this.field = tag >>> 3;
    this.wireType = tag & 7;
    return true;
  }

  /** Throws `wrong-wire-type` unless the current field is `wireType`; `expected` names what was wanted. */
  expect(wireType: number, name: string, expected = EXPECTED[wireType]!): void {
    if (this.wireType !== wireType) this.wrongWireType(this.fieldTag, name, expected);
    if (this.field < 32) this.seen |= 1 << this.field;
  }

  uint32(name: string): number {
    this.expect(WireType.VARINT, name);
    return this.varint32();
  }

  sint32(name: string): number {
    return zigzagDecode32(this.uint32(name));
  }

  bool(name: string): boolean {
    return this.uint32(name) !== 0;
  }

  /** The [start, end) of a LEN field's payload. */
  range(name: string, expected?: string): [number, number] {
    this.expect(WireType.LEN, name, expected);
    return this.lengthDelimited(this.field, name);
  }

  /** A LEN field's payload as a view into the input (no copy). */
  bytes(name: string): Uint8Array {
    const [start, end] = this.range(name);
    return this.buf.subarray(start, end);
  }

  /** A LEN field's payload as UTF-8 text. */
  text(name: string): string {
    this.expect(WireType.LEN, name);
    return this.string(this.field, name);
  }

  /** Passes over the current field (an unknown one). */
  skipField(): void {
    this.skip(this.fieldTag);
  }

  /** Throws `missing-required-field` for the first of fields 1 … names.length - 1 no typed read consumed. */
  requireFields(names: readonly string[]): void {
    for (let field = 1; field < names.length; field++) {
      if ((this.seen & (1 << field)) === 0) {
        throw decodeError(this.message, 'missing-required-field', `missing required field ${field} (${names[field]})`, { field });
      }
    }
  }
}

export const zigzagDecode32 = (n: number): number => (n >>> 1) ^ -(n & 1);
