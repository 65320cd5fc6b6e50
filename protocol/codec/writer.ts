/**
 * A growable, reusable output buffer. Encoders write into one writer per message kind and copy
 * out only the final bytes, so encoding allocates one array per message.
 */
export class ProtoWriter {
  private buf: Uint8Array;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** Unsigned varint of the low 32 bits of `value` (at most 5 bytes). */
  varint32(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    const buf = this.buf;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** ZigZag sint32: (n << 1) ^ (n >> 31). */
  sint32(value: number): void {
    this.varint32((value << 1) ^ (value >> 31));
  }

  tag(field: number, wireType: number): void {
    this.varint32(((field << 3) | wireType) >>> 0);
  }

  bytes(value: Uint8Array): void {
    this.varint32(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  string(value: string): void {
    const length = utf8Length(value);
    this.varint32(length);
    this.ensure(length);
    const { written } = textEncoder.encodeInto(value, this.buf.subarray(this.pos, this.pos + length));
    this.pos += written;
  }

  /** The written bytes, copied out; the writer can be reused at once. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** The written bytes without copying; valid only until the writer is next used. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

const textEncoder = new TextEncoder();

function utf8Length(value: string): number {
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      i++;
    } else length += 3; // lone surrogates become U+FFFD, 3 bytes, as TextEncoder does
  }
  return length;
}

