/**
 * Writes docs/errors.md from core/error-codes.ts (`npm run docs:errors`).
 * test/core/error-codes.test.ts compares the file with `renderErrorDocs()`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../../core/error-codes.ts';

export const ERROR_DOCS_FILE = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));

const cell = (text: string): string => text.replaceAll('|', '\\|');

export function renderErrorDocs(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, { meaning, action }]) => `| \`${code}\` | ${cell(meaning)} | ${cell(action)} |`);
  return [
    '# Error codes',
    '',
    '<!-- Generated from core/error-codes.ts by `npm run docs:errors`; edit that file, not this one. -->',
    '',
    'Every error pinbench throws is a `PinbenchError` with one of these `code`s, a message that says',
    'what was wrong and what to do next, structured `details`, and the `cause` when there is one.',
    'Codes are stable: scripts and tests match on them.',
    '',
    '| code | meaning | what to do |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  writeFileSync(ERROR_DOCS_FILE, renderErrorDocs());
  console.log(`wrote ${ERROR_DOCS_FILE} (${Object.keys(ERROR_CODES).length} codes)`);
}
