import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';

/** A 1-based line and column in the scenario's text, as editors and compilers print them. */
export interface TextPosition {
  readonly line: number;
  readonly col: number;
}

/**
 * Maps a zod issue path to where it is in the YAML text. `key: true` asks for the position of
 * the last segment's key (an unknown key) rather than its value. A path that goes beyond the
 * text (a missing field, a part of a bare-name fault) falls back to the deepest node that
 * exists, so a missing field points at the object that lacks it.
 */
export class YamlPositions {
  constructor(
    private readonly document: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  locate(path: ReadonlyArray<PropertyKey>, options: { key?: boolean } = {}): TextPosition {
    let node: unknown = this.document.contents;
    // An empty file has no node at all: its problems are at its start.
    let found = this.positionOf(node) ?? { line: 1, col: 1 };
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
        if (pair === undefined) break;
        if (last && options.key === true) return this.positionOf(pair.key) ?? found;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else break;
      // A key with no value (`count:`) has no node of its own: stay at the parent.
      found = this.positionOf(node) ?? found;
    }
    return found;
  }

  private positionOf(node: unknown): TextPosition | undefined {
    const range = (node as Node | null | undefined)?.range;
    if (range === undefined || range === null) return undefined;
    const { line, col } = this.lines.linePos(range[0]);
    return { line, col };
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}
