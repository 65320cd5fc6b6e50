/**
 * A small XML writer for the suite's JUnit file. Every value passes through one escape, so a
 * check's detail or a scenario's path can hold `<`, `&`, quotes or control characters and the
 * file still parses: JUnit readers give up on the whole file at the first bad byte.
 */

export interface XmlElement {
  name: string;
  /** In the order written; undefined values are left out. */
  attributes?: ReadonlyArray<readonly [string, string | number | undefined]>;
  children?: ReadonlyArray<XmlElement | string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * What XML 1.0 cannot carry at all, even escaped (§2.2): C0 controls but tab, newline and carriage
 * return; lone surrogates; U+FFFE and U+FFFF. A test's output can hold them (an ANSI colour code,
 * a binary payload's bytes), so they become U+FFFD rather than a file no reader opens.
 */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text content: `&` and `<` must be escaped, `>` is escaped too so `]]>` never appears. */
export function escapeText(value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An attribute value in double quotes. Tabs and line breaks are written as character references:
 * a parser would otherwise normalize them to spaces (§3.3.3), and a multi-line message would
 * come back as one line.
 */
export function escapeAttribute(value: string): string {
  return escapeText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`not an XML name: "${name}"`);
  return name;
}

function render(element: XmlElement, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const attributes = (element.attributes ?? [])
    .filter((entry): entry is readonly [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${checkName(key)}="${escapeAttribute(String(value))}"`)
    .join('');
  const name = checkName(element.name);
  const children = element.children ?? [];
  if (children.length === 0) {
    out.push(`${pad}<${name}${attributes}/>`);
    return;
  }
  // Text is written inline, without indentation, so what a reader gets back is exactly the text.
  if (children.every((child) => typeof child === 'string')) {
    out.push(`${pad}<${name}${attributes}>${children.map((text) => escapeText(text as string)).join('')}</${name}>`);
    return;
  }
  out.push(`${pad}<${name}${attributes}>`);
  for (const child of children) {
    if (typeof child === 'string') out.push(escapeText(child));
    else render(child, depth + 1, out);
  }
  out.push(`${pad}</${name}>`);
}

/** The document: an XML declaration (UTF-8) and the root element, indented two spaces a level. */
export function renderXml(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  render(root, 0, out);
  return out.join('\n') + '\n';
}
