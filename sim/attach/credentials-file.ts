import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import { TOPIC_KINDS, type TopicTemplates } from '../../protocol/topics.ts';

/**
 * What a real device (or the serial bridge, or a person with `mosquitto_pub`) needs to join a
 * run: `<DIR>/<IMEI>.json`. `ca`, `cert` and `key` are paths of PEM files beside it (what
 * mosquitto_pub's --cafile/--cert/--key and most MQTT clients take), null where the listener
 * needs none. `topics` are the device's own topics, filled in.
 */
export interface DeviceCredentials {
  readonly url: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  readonly ca: string | null;
  readonly cert: string | null;
  readonly key: string | null;
  readonly topics: Readonly<Record<keyof TopicTemplates, string>>;
}

/** Where a device connects: an MQTT URL over TCP, TLS or WebSocket. */
export const BROKER_URL_PATTERN = /^(mqtts?|wss?):\/\/[^\s/]+/;

export interface CredentialsPems {
  readonly caPem?: string;
  readonly certPem?: string;
  readonly keyPem?: string;
}

/** Writes `<dir>/<deviceId>.json` and its PEM files (`<deviceId>.ca.pem`, `.cert.pem`, `.key.pem`); returns the JSON's path. */
export function writeCredentialsFile(dir: string, deviceId: string, credentials: Omit<DeviceCredentials, 'ca' | 'cert' | 'key'>, pems: CredentialsPems): string {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  const pem = (suffix: string, text: string | undefined, mode?: number) => {
    if (text === undefined) return null;
    const path = join(folder, `${deviceId}.${suffix}.pem`);
    writeFileSync(path, text, mode === undefined ? {} : { mode });
    return path;
  };
  const file: DeviceCredentials = {
    ...credentials,
    ca: pem('ca', pems.caPem),
    cert: pem('cert', pems.certPem),
    // The device's private TLS key: readable by its owner only.
    key: pem('key', pems.keyPem, 0o600),
  };
  const path = join(folder, `${deviceId}.json`);
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  return path;
}

function bad(path: string, why: string): PinbenchError {
  return new PinbenchError('CREDENTIALS_INVALID', `${path}: ${why}; write it again with \`pinbench device add\` or take it from <run folder>/attached/`, {
    details: { path },
  });
}

/** Reads and checks a credentials file; PEM paths in it are resolved against its folder. */
export function readCredentialsFile(path: string): DeviceCredentials {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such credentials file' : `not a readable JSON file (${(cause as Error).message})`;
    throw bad(path, why);
  }
  if (typeof raw !== 'object' || raw === null) throw bad(path, 'expected a JSON object');
  const o = raw as Record<string, unknown>;
  for (const field of ['url', 'clientId', 'username', 'password'] as const) {
    if (typeof o[field] !== 'string' || o[field] === '') throw bad(path, `expected "${field}" as a non-empty string`);
  }
  if (!BROKER_URL_PATTERN.test(o.url as string)) throw bad(path, `expected "url" such as mqtts://127.0.0.1:8883, got ${JSON.stringify(o.url)}`);
  const pemPath = (field: 'ca' | 'cert' | 'key'): string | null => {
    const value = o[field];
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') throw bad(path, `expected "${field}" as the path of a PEM file or null`);
    return resolve(dirname(path), value);
  };
  const topics = o.topics as Record<string, unknown> | undefined;
  if (typeof topics !== 'object' || topics === null || TOPIC_KINDS.some((kind) => typeof topics[kind] !== 'string')) {
    throw bad(path, `expected "topics" with ${TOPIC_KINDS.join(', ')}`);
  }
  return {
    url: o.url as string,
    clientId: o.clientId as string,
    username: o.username as string,
    password: o.password as string,
    ca: pemPath('ca'),
    cert: pemPath('cert'),
    key: pemPath('key'),
    topics: Object.fromEntries(TOPIC_KINDS.map((kind) => [kind, topics[kind] as string])) as Record<keyof TopicTemplates, string>,
  };
}
