import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import { topicLayout, TOPIC_KINDS, type TopicLayout } from '../../protocol/topics.ts';
import { loadScenarioFile } from '../../scenarios/index.ts';
import { brokerLogins, type BrokerLogin } from '../provision/broker-logins.ts';
import { emqxUsersCsv, mosquittoAcl, mosquittoPasswdLine } from '../provision/broker-files.ts';
import { loadOrCreateLocalCa } from '../../backend/pki/local-ca.ts';
import { parseCommandLine } from './parse-command-line.ts';

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

With --tls, also the local CA's certificate (DIR/ca.cert.pem, the CA in $PINBENCH_HOME/ca), a
server certificate for the broker (DIR/server.cert.pem, server.key.pem, naming --host) and a
client certificate per device and for the backend (DIR/certs/<username>.cert.pem, .key.pem;
CN = the username, for brokers that take the certificate's identity as the username, such as
Mosquitto's use_identity_as_username).

Options:
  --format <list>   comma-separated (default: mosquitto)
  --out <dir>       where the files go (default: provision)
  --tls             also issue the certificates
  --host <name>     a host the broker's server certificate names, repeatable (default 127.0.0.1)
`;

export interface ProvisionCommand {
  scenarioFile: string;
  formats: ProvisionFormat[];
  outDir: string;
  tls?: { hosts: string[] };
}

export function parseProvisionArgs(argv: string[]): ProvisionCommand | { help: string } {
  const parsed = parseCommandLine(argv, { format: { type: 'string' }, out: { type: 'string' }, tls: { type: 'boolean', default: false }, host: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h', default: false } }, `see \`pinbench provision --help\``);
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { help: PROVISION_USAGE };
  if (positionals.length > 1) throw new PinbenchError('CLI_ARGS_INVALID', `unexpected argument "${positionals[1]}"; give one scenario file`);
  const formats = (values.format ?? 'mosquitto').split(',').map((f) => f.trim());
  for (const format of formats) {
    if (!PROVISION_FORMATS.includes(format as ProvisionFormat)) {
      throw new PinbenchError('CLI_ARGS_INVALID', `option --format: expected ${PROVISION_FORMATS.join(', ')} (comma-separated), got "${format}"`);
    }
  }
  if (values.host !== undefined && !values.tls) throw new PinbenchError('CLI_ARGS_INVALID', 'option --host names the server certificate\'s hosts: it needs --tls');
  return {
    scenarioFile: positionals[0]!, formats: formats as ProvisionFormat[], outDir: values.out ?? 'provision',
    ...(values.tls ? { tls: { hosts: values.host ?? ['127.0.0.1'] } } : {}),
  };
}

/** The scenario's logins and topic layout, worked out once (the fleet's plan derives every device's key). */
export interface ProvisionFleet {
  readonly topics: TopicLayout;
  readonly devices: BrokerLogin[];
  readonly backend: BrokerLogin;
}

export function provisionFleet(command: ProvisionCommand): ProvisionFleet {
  const scenario = loadScenarioFile(command.scenarioFile);
  return { topics: topicLayout(scenario.topics), ...brokerLogins(scenario, dirname(resolve(command.scenarioFile))) };
}

/**
 * The certificates for a broker with TLS: the CA's, a server certificate naming `hosts`, and one
 * client certificate per login (CN = username). Keys are readable by their owner only.
 */
export async function writeProvisionCertificates(
  command: ProvisionCommand,
  { devices, backend }: ProvisionFleet,
  caDir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<string[]> {
  if (command.tls === undefined) return [];
  const dir = resolve(command.outDir);
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const ca = await loadOrCreateLocalCa(caDir);
  const written: string[] = [];
  const write = (path: string, text: string, mode = 0o644) => {
    writeFileSync(path, text, { mode });
    written.push(path);
  };
  write(join(dir, 'ca.cert.pem'), ca.certPem);
  const server = await ca.issueServerCertificate(command.tls.hosts);
  write(join(dir, 'server.cert.pem'), server.certPem);
  write(join(dir, 'server.key.pem'), server.keyPem, 0o600);
  const logins = [backend, ...devices];
  for (const [i, login] of logins.entries()) {
    const issued = await ca.issueClientCertificate(login.username);
    write(join(dir, 'certs', `${login.username}.cert.pem`), issued.certPem);
    write(join(dir, 'certs', `${login.username}.key.pem`), issued.keyPem, 0o600);
    if ((i + 1) % 1000 === 0) onProgress?.(i + 1, logins.length);
  }
  return written;
}

/** Writes the files; returns their paths. Password files are readable by their owner only. */
export function writeProvisionFiles(command: ProvisionCommand, { topics, devices, backend }: ProvisionFleet): string[] {
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
