import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { escapeAttribute, escapeText, renderXml } from '../../sim/suite/xml-writer.ts';

const parse = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, trimValues: false, htmlEntities: true }).parse(xml);

describe('xml-writer: every value escaped once', () => {
  it('behavior: text and attributes with < & " \' > and line breaks come back as written through a real parser', () => {
    const value = `a <b> & "c" 'd' ]]> e\n\tf\r\ng`;
    const xml = renderXml({ name: 'root', attributes: [['v', value]], children: [{ name: 'inner', children: [value] }] });
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parse(xml);
    expect(doc.root.v).toBe(value);
    // XML parsers normalize a literal CR LF in text to LF (XML 1.0 §2.11); the attribute keeps it as a reference.
    expect(doc.root.inner).toBe(value.replace('\r\n', '\n'));
    expect(xml).not.toContain(']]>');
  });

  it('behavior: characters XML cannot carry at all (C0 controls, lone surrogates) become U+FFFD, the file still parses', () => {
    const value = `colour \u001b[31mred\u001b[0m, nul \u0000, lone \uD800 surrogate, pair \uD83D\uDE00 kept`;
    const xml = renderXml({ name: 'r', attributes: [['m', value]], children: [value] });
    expect(XMLValidator.validate(xml)).toBe(true);
    const expected = 'colour \uFFFD[31mred\uFFFD[0m, nul \uFFFD, lone \uFFFD surrogate, pair \uD83D\uDE00 kept';
    expect(parse(xml).r).toEqual({ '#text': expected, m: expected });
  });

  it('behavior: the escapes themselves', () => {
    expect(escapeText(`<&>"'`)).toBe(`&lt;&amp;&gt;"'`);
    expect(escapeAttribute(`<&>"'\n`)).toBe('&lt;&amp;&gt;&quot;&apos;&#10;');
  });

  it('behavior: empty elements self-close, undefined attributes are left out, numbers are written as text', () => {
    expect(renderXml({ name: 'a', attributes: [['n', 3], ['gone', undefined]], children: [{ name: 'b' }] })).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<a n="3">\n  <b/>\n</a>\n');
  });

  it('error: an element or attribute name that is not an XML name is refused, not written', () => {
    expect(() => renderXml({ name: 'a b' })).toThrow('not an XML name: "a b"');
    expect(() => renderXml({ name: 'a', attributes: [['x"=1', 'v']] })).toThrow('not an XML name: "x"=1"');
  });
});
