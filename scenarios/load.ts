import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { PinbenchError } from '../core/errors.ts';
import { scenarioSchema, type Scenario } from './schema.ts';

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

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = `option \`${formatPath(issue.path)}\``;
  if (issue.code === 'unrecognized_keys') {
    return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `\`${k}\``).join(', ')}; remove or fix the spelling`;
  }
  // Messages that already name the bad value (an unknown profile name) need no "got".
  if (issue.code === 'custom' && issue.params?.namesInput === true) return `${where}: ${issue.message}`;
  return `${where}: ${issue.message}, got ${describeInput(issue.input)}`;
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

/** Validates an already-parsed scenario object; `source` names it in errors. */
export function parseScenario(raw: unknown, source: string): Scenario {
  const result = scenarioSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap(closestIssues).map(describeIssue);
  throw new PinbenchError('SCENARIO_INVALID', `${source}: ${lines.join('; ')}`, {
    details: { source, issues: lines },
  });
}

export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new PinbenchError('SCENARIO_UNREADABLE', `${file}: cannot read the scenario file (${(cause as Error).message}); check the path`, { cause });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (cause) {
    const detail = cause instanceof YAMLParseError ? cause.message.split('\n')[0] : String(cause);
    throw new PinbenchError('SCENARIO_INVALID', `${file}: not valid YAML: ${detail}`, { cause });
  }
  return parseScenario(raw ?? {}, file);
}
