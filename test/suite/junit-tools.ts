import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

/** The JUnit schema the suite's files must satisfy (test/fixtures/junit-10.xsd says where it comes from). */
export const JUNIT_XSD = join(import.meta.dirname, '..', 'fixtures', 'junit-10.xsd');

/** Where Debian (and a local build) put xmllint. */
export const XMLLINT_PATHS = ['/usr/bin/xmllint', '/usr/local/bin/xmllint'];

/** Debian's xmllint (libxml2), a schema validator pinbench did not write; a clear failure when it is not installed. */
export function requireXmllint(paths: readonly string[] = XMLLINT_PATHS): string {
  const found = paths.find((p) => existsSync(p));
  if (found === undefined) {
    throw new Error("this test validates JUnit XML with Debian's xmllint, which is not installed: apt-get install libxml2-utils (.ci/run installs it)");
  }
  return found;
}

/** xmllint's verdict on `file` against the JUnit schema: `ok`, or its complaints. */
export function validateJUnit(file: string, schema = JUNIT_XSD): { ok: boolean; output: string } {
  const result = spawnSync(requireXmllint(), ['--noout', '--schema', schema, file], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

export interface ParsedCase {
  name: string;
  classname?: string;
  time?: string;
  failure?: { message?: string; type?: string; '#text'?: string };
  error?: { message?: string; type?: string; '#text'?: string };
  skipped?: { message?: string } | '';
}

export interface ParsedSuite {
  name: string;
  file?: string;
  tests: string;
  failures: string;
  errors: string;
  skipped?: string;
  time?: string;
  timestamp?: string;
  properties?: { property: Array<{ name: string; value: string }> };
  testcase: ParsedCase[];
}

export interface ParsedJUnit {
  testsuites: { name?: string; tests: string; failures: string; errors: string; time?: string; testsuite: ParsedSuite[] };
}

/**
 * Reads a JUnit file back with a real XML parser (fast-xml-parser): attributes by name, character
 * references decoded, text as written (not trimmed, not turned into numbers), indentation dropped.
 */
export function parseJUnit(xml: string): ParsedJUnit {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    htmlEntities: true,
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  });
  return withoutIndentation(parser.parse(xml)) as ParsedJUnit;
}

/** The writer's indentation comes back as whitespace-only text beside child elements: not content. */
function withoutIndentation(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIndentation);
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node).filter(([key, value]) => !(key === '#text' && typeof value === 'string' && value.trim() === ''));
  return Object.fromEntries(entries.map(([key, value]) => [key, withoutIndentation(value)]));
}
