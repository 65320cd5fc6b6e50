/**
 * Bytes → lines on CR, LF or CRLF. A receiver streaming binary (UBX, or the wrong baud rate)
 * may send no newline for a long time: a line longer than `maxLength` is cut off and handed on
 * as it is, so it counts as a bad sentence instead of growing the buffer.
 */
export class LineSplitter {
  private partial = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLength = 1024,
  ) {}

  /** latin1 keeps one character per byte, so stray binary bytes stay visible as non-ASCII. */
  push(chunk: Uint8Array): void {
    const text = this.partial + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      if (i > from) this.onLine(text.slice(from, i));
      from = i + 1;
    }
    this.partial = text.slice(from);
    while (this.partial.length > this.maxLength) {
      this.onLine(this.partial.slice(0, this.maxLength));
      this.partial = this.partial.slice(this.maxLength);
    }
  }

  /** Drops a half-received line: after the port comes back, its tail belongs to another sentence. */
  reset(): void {
    this.partial = '';
  }
}
