/**
 * Putting text into report.html safely. The page holds data, a chart library and names from
 * the run (scenario names, profiles, rejection reasons, threshold expressions), and any of them
 * could hold `</script>` or `<!--`: inside a <script> element the HTML parser ends the element
 * at the first `</script` whatever the JavaScript around it means, and `<!--` there switches it
 * into a mode where a later `<script` changes where the element ends.
 */

/**
 * JSON for a `<script type="application/json">`: `<`, `>` and `&` written as \u escapes (JSON
 * has them only inside strings, where the escape means the same character), so no tag, comment
 * or entity can start in it; U+2028 and U+2029 escaped as well, which some parsers refuse raw.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * JavaScript source for an inline <script>: `</script` and `<!--` can only stand in a string,
 * a regular expression or a comment of valid code, where `<\/script` and `<\!--` mean the same.
 */
export function scriptForInline(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** CSS for an inline <style>: in CSS `\/` is an escaped `/`, so `<\/style` means what `</style` did. */
export function styleForInline(source: string): string {
  return source.replace(/<\/(style)/gi, '<\\/$1');
}

/** Text for HTML content and attribute values. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
