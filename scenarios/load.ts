import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { PinbenchError } from '../core/errors.ts';
import { allowedKeys } from './allowed-keys.ts';
import { closestMatch } from './did-you-mean.ts';
import { scenarioJsonSchema, scenarioSchema, type Scenario } from './schema.ts';
import { YamlPositions } from './yaml-positions.ts';

/** `fleet[2].count` from zod's path array. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  const text = JSON.stringify(input, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One problem, located: `fleet[0].motoin` and what was expected and found there. */
interface LocatedProblem {
  readonly path: ReadonlyArray<PropertyKey>;
  /** Point at the key itself (an unknown key) rather than at its value. */
  readonly atKey: boolean;
  readonly message: string;
}

let cachedJsonSchema: Record<string, unknown> | undefined;
const jsonSchema = () => (cachedJsonSchema ??= scenarioJsonSchema());

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = raw;
  for (const segment of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  return value;
}

/** "unknown key motoin; did you mean motion?", or the keys allowed there when none is close. */
function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closestMatch(key, allowed);
  if (suggestion !== undefined) return `unknown key ${key}; did you mean ${suggestion}?`;
  if (allowed.length > 0) return `unknown key ${key}; expected one of: ${allowed.join(', ')}`;
  return `unknown key ${key}; remove it or fix the spelling`;
}

const TYPE_NAMES: Record<string, string> = { object: 'an object', array: 'a list', string: 'a string', number: 'a number', int: 'an integer', boolean: 'true or false' };

/** zod's own wording ("Invalid input: expected object, received undefined") reduced to what was expected. */
function expectedText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input: expected ')) return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
  return issue.message;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): LocatedProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(jsonSchema(), issue.path, valueAt(raw, issue.path));
    return issue.keys.map((key) => ({ path: [...issue.path, key], atKey: true, message: unknownKeyMessage(key, allowed) }));
  }
  // Messages that already name the bad value (an unknown profile name) need no "got".
  if (issue.code === 'custom' && issue.params?.namesInput === true) return [{ path: issue.path, atKey: false, message: issue.message }];
  if (issue.code === 'invalid_type' && issue.input === undefined) return [{ path: issue.path, atKey: false, message: `missing; ${expectedText(issue)}` }];
  return [{ path: issue.path, atKey: false, message: `${expectedText(issue)}, got ${describeInput(issue.input)}` }];
}

/**
 * A fleet entry is a group or a replay entry (a union): when it is neither, zod says only
 * "Invalid input". Report instead what was wrong with the option it came closest to (fewest
 * issues; a tie goes to the first, the fleet group), so `{ count: 0 }` still reads as a bad count.
 */
function closestIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  const fleetEntry = issue.path.length === 2 && issue.path[0] === 'fleet';
  if (issue.code !== 'invalid_union' || !fleetEntry || issue.errors.length === 0) return [issue];
  const closest = issue.errors.reduce((best, errors) => (errors.length < best.length ? errors : best));
  return closest.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

/**
 * Validates an already-parsed scenario object; `source` names it in errors. With `positions`
 * (the YAML it was read from) each problem starts `file:line:col:`, as compilers print them, so
 * editors and CI logs jump to it; one problem per line.
 */
export function parseScenario(raw: unknown, source: string, positions?: YamlPositions): Scenario {
  const result = scenarioSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap(closestIssues).flatMap((issue) => describeIssue(issue, raw));
  const lines = problems.map((problem) => {
    const at = positions?.locate(problem.path, { key: problem.atKey });
    const where = at === undefined ? source : `${source}:${at.line}:${at.col}`;
    return `${where}: ${formatPath(problem.path)}: ${problem.message}`;
  });
  throw new PinbenchError('SCENARIO_INVALID', lines.join('\n'), {
    details: { source, issues: lines },
  });
}

/** yaml's message without its own " at line 3, column 7:" and the excerpt after it (we print the position first). */
function yamlErrorText(error: { code: string; message: string }): string {
  if (error.code === 'MULTIPLE_DOCS') return 'a scenario file holds one YAML document; remove this `---` and what follows, or put each scenario in a file of its own';
  return error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}

export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new PinbenchError('SCENARIO_UNREADABLE', `${file}: cannot read the scenario file (${(cause as Error).message}); check the path`, { cause });
  }
  return parseScenarioText(text, file);
}

/** A scenario from YAML text, `file` naming it in errors (the fuzz tests feed it documents without a file). */
export function parseScenarioText(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    const at = syntaxError.linePos?.[0];
    const where = at === undefined ? file : `${file}:${at.line}:${at.col}`;
    const line = `${where}: not valid YAML: ${yamlErrorText(syntaxError)}`;
    throw new PinbenchError('SCENARIO_INVALID', line, { cause: syntaxError, details: { source: file, issues: [line] } });
  }
  return parseScenario(documentValue(document, file) ?? {}, file, new YamlPositions(document, lineCounter));
}

/**
 * The document as plain values. yaml refuses to expand aliases past its limit (a "billion laughs"
 * document of nested `*a` references would take gigabytes) by throwing a bare ReferenceError;
 * found by test/fuzz/scenario-loader.fuzz.test.ts, it becomes a SCENARIO_INVALID line here.
 */
function documentValue(document: ReturnType<typeof parseDocument>, file: string): unknown {
  try {
    return document.toJS();
  } catch (cause) {
    const line = `${file}: YAML aliases expand too far (${(cause as Error).message}); write the repeated values out instead of nesting aliases`;
    throw new PinbenchError('SCENARIO_INVALID', line, { cause, details: { source: file, issues: [line] } });
  }
}
