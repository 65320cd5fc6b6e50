import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PinbenchError } from '../../core/errors.ts';
import { topicLayout, TOPIC_KINDS } from '../../protocol/topics.ts';
import { loadScenarioFile } from '../../scenarios/index.ts';
import { brokerLogins } from '../provision/broker-logins.ts';
import { emqxUsersCsv, mosquittoAcl, mosquittoPasswdLine } from '../provision/broker-files.ts';

export const PROVISION_FORMATS = ['mosquitto', 'csv', 'json'] as const;
export type ProvisionFormat = (typeof PROVISION_FORMATS)[number];

export const PROVISION_USAGE = `Usage: pinbench provision <scenario.yaml> [--format mosquitto,csv,json] [--out DIR]

Writes the credentials of the scenario's fleet in forms a broker imports, so the fleet can run
against your own broker. The same scenario and seed always give the same credentials.

  mosquitto  DIR/mosquitto.passwd (the format mosquitto_passwd writes) and DIR/mosquitto.acl
             (each device only its own topics; the backend reads uplinks, writes downlinks)
  csv        DIR/users.csv for EMQX's built-in database import (sha256, salt as prefix)
  json       DIR/devices.json: [{ clientId, username, password, topics }]

Always: DIR/backend.json, { username, password } of pinbench's backend as a client of that broker.

Options:
  --format <list>   comma-separated (default: mosquitto)
  --out <dir>       where the files go (default: provision)
`;

export interface ProvisionCommand {
  scenarioFile: string;
  formats: ProvisionFormat[];
  outDir: string;
}

export function parseProvisionArgs(argv: string[]): ProvisionCommand | { help: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { format: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (cause) {
    throw new PinbenchError('CLI_ARGS_INVALID', `${(cause as Error).message}; see \`pinbench provision --help\``, { cause });
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { help: PROVISION_USAGE };
  if (positionals.length > 1) throw new PinbenchError('CLI_ARGS_INVALID', `unexpected argument "${positionals[1]}"; give one scenario file`);
  const formats = (values.format ?? 'mosquitto').split(',').map((f) => f.trim());
  for (const format of formats) {
    if (!PROVISION_FORMATS.includes(format as ProvisionFormat)) {
      throw new PinbenchError('CLI_ARGS_INVALID', `option --format: expected ${PROVISION_FORMATS.join(', ')} (comma-separated), got "${format}"`);
    }
  }
  return { scenarioFile: positionals[0]!, formats: formats as ProvisionFormat[], outDir: values.out ?? 'provision' };
}

/** Writes the files; returns their paths. Password files are readable by their owner only. */
export function writeProvisionFiles(command: ProvisionCommand): string[] {
  const scenario = loadScenarioFile(command.scenarioFile);
  const topics = topicLayout(scenario.topics);
  const { devices, backend } = brokerLogins(scenario, dirname(resolve(command.scenarioFile)));
  const dir = resolve(command.outDir);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    written.push(path);
  };
  write('backend.json', JSON.stringify(backend, null, 2) + '\n');
  if (command.formats.includes('mosquitto')) {
    write('mosquitto.passwd', [backend, ...devices].map(mosquittoPasswdLine).join('\n') + '\n');
    write('mosquitto.acl', mosquittoAcl(topics, backend.username));
  }
  if (command.formats.includes('csv')) write('users.csv', emqxUsersCsv([backend, ...devices]));
  if (command.formats.includes('json')) {
    const rows = devices.map((d) => ({
      clientId: d.username, username: d.username, password: d.password,
      topics: Object.fromEntries(TOPIC_KINDS.map((kind) => [kind, topics.topic(kind, d.username)])),
    }));
    write('devices.json', JSON.stringify(rows, null, 2) + '\n');
  }
  return written;
}
