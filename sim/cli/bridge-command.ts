import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { CURVE_NAMES, type CurveName } from '../../protocol/curves.ts';
import { readCredentialsFile } from '../attach/credentials-file.ts';
import { formatBridgeStats } from '../bridge/bridge-stats.ts';
import { readKeyFile } from '../bridge/key-file.ts';
import { startSerialBridge, type SerialBridgeOptions } from '../bridge/serial-bridge.ts';
import { parseCommandLine } from './parse-command-line.ts';

export interface BridgeSerialCommand {
  command: 'bridge-serial';
  port: string;
  baudRate: number;
  deviceId: string;
  keyFile: string;
  /** Only for a key given as bare hex: a PEM names its own curve. */
  curve?: CurveName;
  credentialsFile: string;
  uploadPeriodS: number;
  /** 0: no progress lines. */
  progressS: number;
  quiet: boolean;
}

export interface BridgeHelpCommand {
  command: 'help';
  text: string;
}

export type BridgeCommand = BridgeSerialCommand | BridgeHelpCommand;

export const BRIDGE_USAGE = `Usage: pinbench bridge serial --port <path> --id <IMEI> --key <file> [options]

bridge serial  Reads NMEA 0183 (GGA and RMC) from a GPS receiver or a board on a serial port,
               and publishes one signed Pebble reading per upload period to the run's broker as
               device <IMEI>, with the position of the latest fix (none when there was no fix).

Options:
  --port <path>           serial port, e.g. /dev/ttyUSB0 or /dev/ttyACM0 (required)
  --baud <rate>           baud rate (default: 9600)
  --id <IMEI>             the device id, as provisioned (required)
  --key <file>            the device's signing key: PEM (PKCS#8 or SEC1) on P-256 or secp256k1,
                          or 32 bytes of hex (required)
  --curve <name>          p256 | secp256k1, for a hex key (default: p256; a PEM names its own)
  --credentials <file>    the device's credentials file from \`pinbench device add\` or the run's
                          attached/ folder (default: ./<IMEI>.json)
  --upload-period <time>  one reading per period, in whole seconds: 10s, 1m (default: 10s)
  --progress <time>       a progress line this often, 0 for none (default: 10s)
  --quiet                 no progress lines
  -h, --help              show this help

Example:
  pinbench bridge serial --port /dev/ttyUSB0 --baud 9600 --id 351756051523999 --key device.pem
`;

const EXAMPLE = 'e.g. `pinbench bridge serial --port /dev/ttyUSB0 --id 351756051523999 --key device.pem`';

function invalid(option: string, why: string): PinbenchError {
  return new PinbenchError('CLI_ARGS_INVALID', `option --${option}: ${why}; ${EXAMPLE}`, { details: { option } });
}

/** `10`, `10s`, `2m`, `1h` → seconds (whole). */
function parseSeconds(option: string, raw: string, allowZero: boolean): number {
  const match = /^([0-9]+)(s|m|h)?$/.exec(raw);
  const seconds = match === null ? NaN : Number(match[1]) * { s: 1, m: 60, h: 3600 }[(match[2] ?? 's') as 's' | 'm' | 'h'];
  if (!Number.isSafeInteger(seconds) || (seconds === 0 && !allowZero)) {
    throw invalid(option, `expected whole seconds such as 10s or 1m${allowZero ? ' (0 for none)' : ''}, got "${raw}"`);
  }
  return seconds;
}

/**
 * `argv`: what follows `pinbench` (`bridge serial --port …`); a leading `bridge` may be left out.
 * Throws CLI_ARGS_INVALID naming the option.
 */
export function parseBridgeArgs(argv: string[]): BridgeCommand {
  const parsed = parseCommandLine(argv, {
    port: { type: 'string' },
    baud: { type: 'string' },
    id: { type: 'string' },
    key: { type: 'string' },
    curve: { type: 'string' },
    credentials: { type: 'string' },
    'upload-period': { type: 'string' },
    progress: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  }, `${EXAMPLE}, or \`pinbench bridge --help\``);
  const { values } = parsed;
  const positionals = parsed.positionals[0] === 'bridge' ? parsed.positionals.slice(1) : parsed.positionals;
  if (values.help) return { command: 'help', text: BRIDGE_USAGE };
  const [kind, ...extra] = positionals;
  if (kind !== 'serial') {
    throw new PinbenchError('CLI_ARGS_INVALID', `${kind === undefined ? 'missing bridge kind' : `unknown bridge kind "${kind}"`}: the one kind is \`serial\`; ${EXAMPLE}`);
  }
  if (extra.length > 0) throw new PinbenchError('CLI_ARGS_INVALID', `unexpected argument "${extra[0]}"; options start with --, ${EXAMPLE}`);
  for (const required of ['port', 'id', 'key'] as const) {
    if (values[required] === undefined || values[required] === '') throw invalid(required, 'missing');
  }
  const deviceId = values.id!;
  // The id is a topic level and a file name: no MQTT wildcards, separators or spaces.
  if (!/^[A-Za-z0-9_.:-]+$/.test(deviceId)) throw invalid('id', `expected the device id (its IMEI, 15 digits), got "${deviceId}"`);
  let baudRate = 9600;
  if (values.baud !== undefined) {
    baudRate = Number(values.baud);
    if (!/^[0-9]+$/.test(values.baud) || baudRate < 50 || baudRate > 4_000_000) throw invalid('baud', `expected a baud rate such as 9600 or 115200, got "${values.baud}"`);
  }
  let curve: CurveName | undefined;
  if (values.curve !== undefined) {
    curve = CURVE_NAMES.find((name) => name === values.curve);
    if (curve === undefined) throw invalid('curve', `expected ${CURVE_NAMES.join(' or ')}, got "${values.curve}"`);
  }
  return {
    command: 'bridge-serial',
    port: values.port!,
    baudRate,
    deviceId,
    keyFile: values.key!,
    ...(curve === undefined ? {} : { curve }),
    credentialsFile: values.credentials ?? `./${deviceId}.json`,
    uploadPeriodS: values['upload-period'] === undefined ? 10 : parseSeconds('upload-period', values['upload-period'], false),
    progressS: values.progress === undefined ? 10 : parseSeconds('progress', values.progress, true),
    quiet: values.quiet,
  };
}

export interface BridgeCommandDeps {
  readonly logger: Logger;
  /** Ctrl-C: stop, send what is queued (up to 2 s), print the final stats. */
  readonly signal: AbortSignal;
  readonly stdout: { write(text: string): unknown };
  /** For tests: a faster reopen backoff, MQTT reconnect, wall clock. */
  readonly bridge?: Partial<Pick<SerialBridgeOptions, 'backoff' | 'reconnectPeriodMs' | 'nowMs' | 'openPort'>>;
}

/**
 * Runs the bridge until `signal` aborts; returns 0 then. Fails at start, before reading, with a
 * PinbenchError (BRIDGE_KEY_INVALID, CREDENTIALS_INVALID, SERIAL_PORT_UNAVAILABLE,
 * BRIDGE_MQTT_REFUSED) whose message is the one line to print.
 */
export async function runBridgeCommand(cmd: BridgeCommand, deps: BridgeCommandDeps): Promise<number> {
  const { logger, signal, stdout } = deps;
  if (cmd.command === 'help') {
    stdout.write(cmd.text);
    return 0;
  }
  const key = readKeyFile(cmd.keyFile, cmd.curve);
  stdout.write(`device ${cmd.deviceId}: ${key.curve} public key 0x${Buffer.from(key.publicKey).toString('hex')} (compare it with the one provisioned)\n`);
  const credentials = readCredentialsFile(cmd.credentialsFile);
  // The broker acknowledges a publish the ACL refuses, so another device's file would fail silently.
  if (!credentials.topics.data.split('/').includes(cmd.deviceId)) {
    throw new PinbenchError(
      'CREDENTIALS_INVALID',
      `${cmd.credentialsFile}: its data topic is ${credentials.topics.data}, not device ${cmd.deviceId}'s; give that device's credentials with --credentials`,
      { details: { path: cmd.credentialsFile } },
    );
  }
  const bridge = await startSerialBridge({
    portPath: cmd.port,
    baudRate: cmd.baudRate,
    key,
    credentials,
    uploadPeriodMs: cmd.uploadPeriodS * 1000,
    logger,
    ...deps.bridge,
  });
  logger.info(
    `bridge: NMEA from ${cmd.port} at ${cmd.baudRate} baud → one reading every ${cmd.uploadPeriodS} s to ${credentials.url} as ${credentials.clientId} on ${credentials.topics.data}; Ctrl-C to stop`,
  );
  const progress = cmd.progressS > 0 ? setInterval(() => logger.info(formatBridgeStats(bridge.stats())), cmd.progressS * 1000) : undefined;
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearInterval(progress);
  const final = await bridge.stop();
  stdout.write(`bridge ${cmd.deviceId} stopped: ${formatBridgeStats(final)}\n`);
  const undelivered = final.readings.queued + final.readings.published - final.readings.acked;
  if (undelivered > 0) stdout.write(`  ${undelivered} readings not acknowledged by the broker before the stop\n`);
  return 0;
}
