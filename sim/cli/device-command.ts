import { join, resolve } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import { topicLayout } from '../../protocol/topics.ts';
import { assertCurve, type CurveName } from '../../protocol/curves.ts';
import { loadOrCreateLocalCa } from '../../backend/pki/local-ca.ts';
import { checkDeviceId, checkOwner } from '../attach/attached-device.ts';
import { addToBook } from '../attach/device-book.ts';
import { parseDevicePublicKey } from '../attach/public-key.ts';
import { writeDeviceCredentials } from '../attach/issue-credentials.ts';
import { BROKER_URL_PATTERN } from '../attach/credentials-file.ts';
import { parseDuration } from './args.ts';
import { defaultHomeDir } from '../paths.ts';
import { parseCommandLine } from './parse-command-line.ts';

export const DEVICE_USAGE = `Usage: pinbench device add --id <IMEI> --pubkey <pem|hex> --owner <address> [options]

Provisions a real device: it enters pinbench's device book ($PINBENCH_HOME/devices), gets a
password and a client certificate from the local CA ($PINBENCH_HOME/ca), and is registered on the
registry contract when a run attaches it (--attach or --wait-for). Writes <out>/<IMEI>.json
({ url, clientId, username, password, ca, cert, key, topics }) and prints a mosquitto_pub line.

Options:
  --id <IMEI>            the device's IMEI (15 digits)
  --pubkey <pem|hex>     its signing key: a PEM file, PEM text, or the curve point in hex
  --owner <address>      the account the device is registered to (who claims its rewards)
  --curve <name>         p256 (default, the Pebble's secure element) or secp256k1, for a hex key
  --url <url>            where the device will connect (default mqtts://127.0.0.1:8883; a run
                         must listen there: --listen mqtts://127.0.0.1:8883)
  --upload-period <time> the upload period the backend configures (default 10s)
  --registration <mode>  registrar (default: on chain when the run starts) or confirm (the
                         firmware's query → proposal → confirm exchange)
  --out <dir>            where the credentials go (default: the current folder)
`;

export interface DeviceAddCommand {
  id: string;
  pubkey: string;
  owner: string;
  curve: CurveName;
  url: string;
  uploadPeriodS: number;
  registration: 'registrar' | 'confirm';
  outDir: string;
}

export function parseDeviceArgs(argv: string[]): DeviceAddCommand | { help: string } {
  const parsed = parseCommandLine(argv, {
    id: { type: 'string' }, pubkey: { type: 'string' }, owner: { type: 'string' }, curve: { type: 'string' }, url: { type: 'string' },
    'upload-period': { type: 'string' }, registration: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
  }, `see \`pinbench device add --help\``);
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { help: DEVICE_USAGE };
  if (positionals[0] !== 'add' || positionals.length > 1) {
    throw new PinbenchError('CLI_ARGS_INVALID', `unknown device command "${positionals.join(' ')}"; the command is \`pinbench device add --id <IMEI> --pubkey <pem|hex> --owner <address>\``);
  }
  for (const option of ['id', 'pubkey', 'owner'] as const) {
    if (values[option] === undefined) throw new PinbenchError('CLI_ARGS_INVALID', `option --${option} is required: \`pinbench device add --id <IMEI> --pubkey <pem|hex> --owner <address>\``);
  }
  const curve = values.curve ?? 'p256';
  try {
    assertCurve(curve, '--curve');
  } catch (cause) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option --curve: expected p256 or secp256k1, got "${curve}"`, { cause });
  }
  const url = values.url ?? 'mqtts://127.0.0.1:8883';
  if (!BROKER_URL_PATTERN.test(url)) throw new PinbenchError('CLI_ARGS_INVALID', `option --url: expected a broker URL such as mqtts://127.0.0.1:8883, got "${url}"`);
  const registration = values.registration ?? 'registrar';
  if (registration !== 'registrar' && registration !== 'confirm') throw new PinbenchError('CLI_ARGS_INVALID', `option --registration: expected registrar or confirm, got "${registration}"`);
  return {
    id: values.id!,
    pubkey: values.pubkey!,
    owner: values.owner!,
    curve,
    url,
    uploadPeriodS: values['upload-period'] === undefined ? 10 : parseDuration('upload-period', values['upload-period']) / 1000,
    registration,
    outDir: values.out ?? '.',
  };
}

/** `pinbench device add`: provisions, issues and prints; returns the exit code. */
export async function runDeviceAdd(command: DeviceAddCommand, io: { stdout: (line: string) => void; homeDir?: string }): Promise<number> {
  const home = io.homeDir ?? defaultHomeDir();
  const deviceId = checkDeviceId(command.id);
  const owner = checkOwner(command.owner);
  const key = parseDevicePublicKey(command.pubkey, { curve: command.curve, what: '--pubkey' });
  const { device, added, updated, path } = addToBook(home, {
    deviceId, publicKey: key.publicKey, curve: key.curve, owner, uploadPeriodS: command.uploadPeriodS, registration: command.registration,
  });
  const ca = await loadOrCreateLocalCa(join(home, 'ca'));
  const written = await writeDeviceCredentials({ dir: resolve(command.outDir), device, url: command.url, topics: topicLayout(), ca });
  const what = added ? 'added' : updated ? 'updated (same key and owner; password kept, new upload period and registration)' : 'already provisioned (same key and owner; password kept)';
  io.stdout(`${what}: device ${deviceId} (${key.curve}), owner ${owner}, upload period ${device.uploadPeriodS} s, registration ${device.registration}; record ${path}`);
  io.stdout(`credentials: ${written.path}`);
  io.stdout(`publish a signed reading as the device:\n  ${written.command.replace(/\n/g, '\n  ')}`);
  io.stdout(`attach it to a run: pinbench run <scenario.yaml> --listen ${command.url} --wait-for ${deviceId}`);
  return 0;
}
