import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseCli } from '../../sim/cli/args.ts';
import { parseBridgeArgs } from '../../sim/cli/bridge-command.ts';
import { parseClaimArgs } from '../../sim/cli/claim-command.ts';
import { parseDeviceArgs } from '../../sim/cli/device-command.ts';
import { parseInitArgs } from '../../sim/cli/init-command.ts';
import { parseProvisionArgs } from '../../sim/cli/provision-command.ts';
import { parseReplayArgs } from '../../sim/cli/replay-command.ts';
import { parseSchemaArgs } from '../../sim/cli/schema-command.ts';
import { parseTestArgs } from '../../sim/cli/test-command.ts';
import { fuzzOptions, valueOrPinbenchError } from './fuzz-support.ts';

/** Every option name any subcommand declares, so the fuzzer reaches each option's value check, not only "unknown option". */
const OPTION_NAMES = [
  'attach', 'backend', 'baud', 'broker', 'broker-credentials', 'broker-port', 'ca', 'cache', 'client-certs', 'credentials', 'curve',
  'fail-fast', 'fleet-process', 'format', 'help', 'host', 'id', 'ingest-workers', 'junit', 'key', 'listen', 'metrics', 'observe',
  'operator-key', 'out', 'owner', 'owner-key', 'port', 'progress', 'ptau', 'pubkey', 'quiet', 'record', 'registration', 'rpc', 'speed',
  'summary', 'tls', 'to', 'upload-period', 'url', 'wait-for', 'wait-timeout',
];

/** Values shaped like the real ones (ports, durations, IMEIs, keys, URLs) next to arbitrary text. */
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 70_000 }).map(String),
  fc.constantFrom('120s', '5m', '500ms', '0s', '1e9s', 'max', '10', 'inline', 'child', 'auto', 'p256', 'secp256k1', 'mosquitto,csv,json', ''),
  fc.constantFrom('http://127.0.0.1:8545', 'https://x', 'ftp://y', 'mqtt://127.0.0.1:1883', 'mqtts://h:8883', 'ws://h', '::1'),
  fc.stringMatching(/^(0x)?[0-9a-f]{0,66}$/),
  fc.stringMatching(/^[0-9]{13,16}(,[0-9]{15})?$/),
);

const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...OPTION_NAMES).map((name) => `--${name}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...OPTION_NAMES), value).map(([name, v]) => `--${name}=${v}`) },
  { weight: 3, arbitrary: value },
  { weight: 1, arbitrary: fc.constantFrom('-h', '-', '--', '--no-such', '-x', 'run', 'resume', 'add', 'serial', 'smoke.yaml') },
);

const argv = fc.array(token, { maxLength: 8 });

const parsers = {
  'run/resume (parseCli)': parseCli,
  bridge: parseBridgeArgs,
  claim: parseClaimArgs,
  device: parseDeviceArgs,
  init: parseInitArgs,
  provision: parseProvisionArgs,
  replay: parseReplayArgs,
  schema: parseSchemaArgs,
  test: parseTestArgs,
} as const;

describe('fuzz: CLI arguments', () => {
  for (const [name, parse] of Object.entries(parsers)) {
    it(`${name}: any argv gives a command or CLI_ARGS_INVALID`, () => {
      fc.assert(fc.property(argv, (args) => void valueOrPinbenchError(() => parse(args), ['CLI_ARGS_INVALID'])), fuzzOptions(300));
    });
  }
});
