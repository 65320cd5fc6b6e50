import { PinbenchError } from '../../core/errors.ts';
import { scenarioJsonSchema } from '../../scenarios/index.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { parseCommandLine } from './parse-command-line.ts';

export const SCHEMA_USAGE = `Usage: pinbench schema > pinbench.schema.json

Prints the JSON Schema (draft 2020-12) of scenario files to stdout: every section and field,
with its type, default and description (docs/scenarios.md is made from it).

Editors use it to complete, check and explain a scenario as you type. With the YAML language
server (VS Code's YAML extension, Neovim, Helix, …), put this first line in the scenario file:

  # yaml-language-server: $schema=./pinbench.schema.json

(the path is relative to the scenario file), or map a glob to it in the editor's settings,
e.g. VS Code's "yaml.schemas": { "./pinbench.schema.json": "scenarios/*.yaml" }.

Options:
  -h, --help             show this help
`;

export type SchemaCommand = { command: 'schema' } | { help: string };

/** `pinbench schema …` (argv after the command name): it takes no arguments. */
export function parseSchemaArgs(argv: string[]): SchemaCommand {
  const { values, positionals } = parseCommandLine(argv, { help: { type: 'boolean', short: 'h', default: false } }, 'see `pinbench schema --help`');
  if (values.help) return { help: SCHEMA_USAGE };
  if (positionals.length > 0) {
    throw new PinbenchError('CLI_ARGS_INVALID', `pinbench schema takes no arguments, got "${positionals[0]}"; redirect its output instead: pinbench schema > pinbench.schema.json`);
  }
  return { command: 'schema' };
}

export function runSchemaCommand(io: { stdout: (text: string) => void }): ExitCode {
  io.stdout(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  return EXIT.pass;
}
