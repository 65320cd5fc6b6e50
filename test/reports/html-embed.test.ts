import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, scriptForInline, styleForInline } from '../../reports/html/embed.ts';

const HOSTILE = 'a</script><script>alert(1)</script><!-- & \u2028\u2029 </SCRIPT >';

describe('HTML report: text put into the page', () => {
  it('behavior: embedded JSON reads back unchanged and holds no <, > or & for the HTML parser to see', () => {
    const value = { name: HOSTILE, list: [1, null, 'x<y'], nested: { '</script>': true } };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('behavior: inline script and style cannot end their element early, and the script still means the same', () => {
    const source = `var s = "${HOSTILE}"; var r = /<\\/script>/;`;
    const inline = scriptForInline(source);
    expect(inline).not.toMatch(/<\/script/i);
    expect(inline).not.toContain('<!--');
    expect(new Function(`${inline}; return s;`)()).toBe(HOSTILE);
    expect(styleForInline('a::after { content: "</style><b>" }')).toBe('a::after { content: "<\\/style><b>" }');
  });

  it('behavior: names from the run are escaped for content and attributes', () => {
    expect(escapeHtml(`<b title="x">Tom & Jerry's</b>`)).toBe('&lt;b title=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;');
    expect(escapeHtml(42)).toBe('42');
  });
});
