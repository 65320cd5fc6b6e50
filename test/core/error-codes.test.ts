import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../core/error-codes.ts';
import { ERROR_DOCS_FILE, renderErrorDocs } from '../support/error-docs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIST_FILE = join('core', 'error-codes.ts');
const SOURCE_FILE = /\.(ts|js|mjs|cjs)$/;

/** The shipped sources (package.json `files`), the list itself left out. */
function sourceTexts(): string[] {
  const { files } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  const paths = files.flatMap((entry) =>
    statSync(join(ROOT, entry)).isDirectory()
      ? readdirSync(join(ROOT, entry), { recursive: true, encoding: 'utf8' }).map((file) => join(entry, file))
      : [entry],
  );
  return paths
    .filter((file) => SOURCE_FILE.test(file) && !file.split(/[\\/]/).includes('node_modules') && file !== LIST_FILE)
    .map((file) => readFileSync(join(ROOT, file), 'utf8'));
}

describe('error codes', () => {
  it('behavior: docs/errors.md is what `npm run docs:errors` writes from core/error-codes.ts', () => {
    expect(readFileSync(ERROR_DOCS_FILE, 'utf8'), 'docs/errors.md is out of date: run `npm run docs:errors`').toBe(renderErrorDocs());
  });

  it('behavior: every listed code is used somewhere in the source', () => {
    const texts = sourceTexts();
    const unused = Object.keys(ERROR_CODES).filter((code) => !texts.some((text) => text.includes(`'${code}'`)));
    expect(unused, 'codes in core/error-codes.ts that no source file uses: remove them from the list').toEqual([]);
  });

  it('args: every code is AREA_CASE upper snake case with a one-line meaning and action', () => {
    for (const [code, { meaning, action }] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
      expect(code).not.toMatch(/^E_/);
      for (const line of [meaning, action]) expect(line).toMatch(/^[^\n]+\.$/);
    }
  });
});
