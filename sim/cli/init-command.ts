import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { parseCommandLine } from './parse-command-line.ts';

export const DEFAULT_INIT_NAME = 'my-scenario';

export const INIT_USAGE = `Usage: pinbench init [name]

Writes <name>.yaml in the current folder (default: ${DEFAULT_INIT_NAME}.yaml): a starter scenario
with a comment on each section — a small fleet of a few groups, two short epochs, the reward
rule, and accelerated time, so \`pinbench run ${DEFAULT_INIT_NAME}.yaml\` takes seconds (the first run
on a machine builds its small circuit first, a few minutes).
An existing file is never overwritten. The name is also the scenario's \`name\`: lower-case
letters, digits and dashes.

Every field is described in docs/scenarios.md. For completion and checks in your editor, write
the JSON Schema beside it with \`pinbench schema > pinbench.schema.json\`; the file's first line
points the YAML language server at it.

Options:
  -h, --help             show this help
`;

export type InitCommand = { command: 'init'; name: string; file: string } | { help: string };

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** `pinbench init [name]` (argv after the command name). `name.yaml` is taken as `name`. */
export function parseInitArgs(argv: string[]): InitCommand {
  const { values, positionals } = parseCommandLine(argv, { help: { type: 'boolean', short: 'h', default: false } }, 'see `pinbench init --help`');
  if (values.help) return { help: INIT_USAGE };
  if (positionals.length > 1) throw new PinbenchError('CLI_ARGS_INVALID', `pinbench init takes one name, got ${positionals.length}: ${positionals.join(' ')}`);
  const name = (positionals[0] ?? DEFAULT_INIT_NAME).replace(/\.ya?ml$/, '');
  if (!NAME_PATTERN.test(name)) {
    throw new PinbenchError('CLI_ARGS_INVALID', `pinbench init: expected a name of lower-case letters, digits and dashes (it names the scenario and its file), got "${name}"`);
  }
  return { command: 'init', name, file: `${name}.yaml` };
}

/** Writes the starter scenario into `cwd`; refuses (bad input, exit 2) when the file exists. */
export function runInitCommand(command: { name: string; file: string }, io: { cwd: string; stdout: (line: string) => void }): ExitCode {
  const path = resolve(io.cwd, command.file);
  if (existsSync(path)) {
    throw new PinbenchError('CLI_ARGS_INVALID', `${command.file} exists already; pinbench init does not overwrite it: give another name (pinbench init <name>) or remove the file`);
  }
  // `wx`: still no overwrite if the file appeared since the check.
  writeFileSync(path, starterScenario(command.name), { flag: 'wx' });
  io.stdout(`wrote ${command.file}: run it with \`pinbench run ${command.file}\`; fields in docs/scenarios.md, editor schema: \`pinbench schema > pinbench.schema.json\``);
  return EXIT.pass;
}

/** The starter file. Its comments are the point: each says what the section is for and where to read more. */
export function starterScenario(name: string): string {
  return `# yaml-language-server: $schema=./pinbench.schema.json
# ^ Completion and checks in your editor: write the schema beside this file with
#   \`pinbench schema > pinbench.schema.json\`. Every field is described in docs/scenarios.md.

# The scenario's name: lower-case letters, digits and dashes; it names the run folder.
name: ${name}
description: A starter scenario written by pinbench init; edit it to describe yours.
# Same scenario and seed, same fleet, keys, payloads and rewards.
seed: 1
# Where devices move: a city preset or a bounding box { south, west, north, east }.
area: berlin

# What the fleet is: groups of virtual Pebble trackers (docs/scenarios.md, "fleet").
fleet:
  - count: 4
    motion: car            # stationary | walk | bike | car
    uploadPeriodS: 2       # seconds between uploads
  - count: 2
    motion: walk
    faults: [flaky-network]   # honest devices with something wrong
  - count: 1
    motion: bike
    adversary: gps-spoofing   # a device that cheats; the run's checks must catch it

# How the run is cut in time: each epoch is summarised, proven and settled on chain.
epochs:
  lengthS: 12
  count: 2

# How work is paid (these are the defaults).
reward:
  unitsPerSample: 1000
  maxStepE7: 20000
  rewardPerUnitWei: "1000000000000"   # a decimal string: wei overflow a JS number

# Accelerated time: simulated time jumps from timer to timer, so the run takes seconds, and the
# same seed gives the same result. \`realtime\` runs at wall-clock speed.
time:
  mode: accelerated
  speed: max

# The proof shape: 4 devices × 8 readings builds its circuit in minutes on a fresh machine.
# The default (32 × 4) is cheaper on chain but needs a large powers-of-tau file.
circuit:
  batchSize: 4
  readingsPerDevice: 8
`;
}
