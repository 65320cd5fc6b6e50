import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/ports.ts';
import { DEFAULT_TOPICS } from '../../protocol/index.ts';
import { writeCredentialsFile } from '../../sim/attach/credentials-file.ts';
import { BRIDGE_USAGE, parseBridgeArgs, runBridgeCommand } from '../../sim/cli/bridge-command.ts';

const IMEI = '351756051523999';
const BASE = ['bridge', 'serial', '--port', '/dev/ttyUSB0', '--id', IMEI, '--key', 'device.pem'];

describe('parseBridgeArgs', () => {
  it('args: defaults, and every option', () => {
    expect(parseBridgeArgs(BASE)).toEqual({
      command: 'bridge-serial',
      port: '/dev/ttyUSB0',
      baudRate: 9600,
      deviceId: IMEI,
      keyFile: 'device.pem',
      credentialsFile: `./${IMEI}.json`,
      uploadPeriodS: 10,
      progressS: 10,
      quiet: false,
    });
    expect(
      parseBridgeArgs(['serial', '--port', '/dev/ttyACM0', '--baud', '115200', '--id', IMEI, '--key', 'k.hex', '--curve', 'secp256k1', '--credentials', 'c.json', '--upload-period', '1m', '--progress', '0', '--quiet']),
    ).toEqual({
      command: 'bridge-serial',
      port: '/dev/ttyACM0',
      baudRate: 115200,
      deviceId: IMEI,
      keyFile: 'k.hex',
      curve: 'secp256k1',
      credentialsFile: 'c.json',
      uploadPeriodS: 60,
      progressS: 0,
      quiet: true,
    });
    expect(parseBridgeArgs([...BASE, '--upload-period', '300'])).toMatchObject({ uploadPeriodS: 300 });
    expect(parseBridgeArgs(['bridge', '--help'])).toEqual({ command: 'help', text: BRIDGE_USAGE });
    expect(BRIDGE_USAGE).toContain('pinbench bridge serial --port <path> --id <IMEI> --key <file>');
  });

  it('error: CLI_ARGS_INVALID naming the option, with an example', () => {
    const fails = (argv: string[], message: string) =>
      expect(() => parseBridgeArgs(argv)).toThrow(expect.objectContaining({ code: 'CLI_ARGS_INVALID', message: expect.stringContaining(message) }));
    fails(['bridge', 'serial', '--id', IMEI, '--key', 'k'], 'option --port: missing; e.g. `pinbench bridge serial --port /dev/ttyUSB0');
    fails(['bridge', 'serial', '--port', '/dev/ttyUSB0', '--key', 'k'], 'option --id: missing');
    fails(['bridge', 'serial', '--port', '/dev/ttyUSB0', '--id', IMEI], 'option --key: missing');
    fails([...BASE, '--baud', 'fast'], 'option --baud: expected a baud rate such as 9600 or 115200, got "fast"');
    fails([...BASE, '--upload-period', '0s'], 'option --upload-period: expected whole seconds such as 10s or 1m, got "0s"');
    fails([...BASE, '--upload-period', '500ms'], 'option --upload-period');
    fails([...BASE, '--progress', '5x'], 'option --progress: expected whole seconds such as 10s or 1m (0 for none), got "5x"');
    fails([...BASE, '--curve', 'ed25519'], 'option --curve: expected p256 or secp256k1, got "ed25519"');
    fails(['bridge', 'serial', '--port', 'p', '--id', 'device/+/x', '--key', 'k'], 'option --id: expected the device id');
    fails([...BASE, '--bogus'], "Unknown option '--bogus'");
    fails(['bridge', 'usb', '--port', 'p'], 'unknown bridge kind "usb": the one kind is `serial`');
    fails(['bridge'], 'missing bridge kind');
    fails([...BASE, 'extra'], 'unexpected argument "extra"');
  });
});

describe('runBridgeCommand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-bridge-cmd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('error: a credentials file of another device is refused before the port is opened', async () => {
    const keyFile = join(dir, 'device.pem');
    writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const other = '490154203237518';
    const topics = Object.fromEntries((['data', 'confirm', 'query', 'status', 'config'] as const).map((kind) => [kind, DEFAULT_TOPICS.topic(kind, other)])) as Record<'data' | 'confirm' | 'query' | 'status' | 'config', string>;
    const credentials = writeCredentialsFile(dir, other, { url: 'mqtt://127.0.0.1:1883', clientId: other, username: other, password: 'x', topics }, {});
    const out: string[] = [];
    const cmd = parseBridgeArgs(['bridge', 'serial', '--port', '/dev/does-not-matter', '--id', IMEI, '--key', keyFile, '--credentials', credentials]);
    await expect(runBridgeCommand(cmd, { logger: silentLogger, signal: new AbortController().signal, stdout: { write: (t: string) => out.push(t) } })).rejects.toMatchObject({
      code: 'CREDENTIALS_INVALID',
      message: `${credentials}: its data topic is device/${other}/data, not device ${IMEI}'s; give that device's credentials with --credentials`,
    });
    expect(out[0]).toMatch(/^device 351756051523999: p256 public key 0x04[0-9a-f]{128} /);
  });

  it('behavior: help prints the usage', async () => {
    const out: string[] = [];
    expect(await runBridgeCommand({ command: 'help', text: BRIDGE_USAGE }, { logger: silentLogger, signal: new AbortController().signal, stdout: { write: (t: string) => out.push(t) } })).toBe(0);
    expect(out.join('')).toBe(BRIDGE_USAGE);
  });
});
