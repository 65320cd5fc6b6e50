import { parseArgs } from 'node:util';
import { PinbenchError } from '../../core/errors.ts';

export interface RunCommand {
  command: 'run';
  scenarioFile: string;
  brokerPort?: number;
  rpcUrl?: string;
  operatorKey?: string;
  outDir: string;
  cacheDir?: string;
  ptauPath?: string;
  fleetProcess?: 'inline' | 'child' | 'auto';
  quiet: boolean;
}

export interface ResumeCommand {
  command: 'resume';
  runDir: string;
  rpcUrl?: string;
  operatorKey?: string;
  cacheDir?: string;
  ptauPath?: string;
  quiet: boolean;
}

export interface HelpCommand {
  command: 'help';
  text: string;
}

export const USAGE = `Usage: pinbench run <scenario.yaml> [options]
       pinbench resume <run folder> [--rpc <url> --operator-key <hex>] [--cache <dir>] [--ptau <file>]

run     Runs a scenario end to end: virtual trackers → embedded MQTT broker → ingest → Groth16
        proof → settlement and rewards on a local anvil chain, and writes runs/<time>-<scenario>/.
resume  Finishes the proofs and settlements a stopped run left in its run.db (after a crash or
        a kill), on the run's chain (the embedded one is kept in the run folder), then lets the
        owners claim.

Options:
  --broker-port <port>   MQTT port on 127.0.0.1 (default: a free port)
  --rpc <url>            use this EVM JSON-RPC endpoint instead of starting anvil
  --operator-key <hex>   operator private key for --rpc (default: anvil's first dev account)
  --out <dir>            where run folders go (default: runs)
  --cache <dir>          circuit and contract cache (default: $PINBENCH_CACHE or ~/.cache/pinbench)
  --ptau <file>          use this powers-of-tau file (e.g. a ceremony .ptau) instead of a local one
  --fleet-process <where>
                         inline | child | auto: run the trackers in this process or in a
                         fleet process of their own (default auto: own process from 500
                         devices, or when one process cannot hold both ends of every connection)
  --quiet                print only the result
  -h, --help             show this help
`;

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^[0-9]+$/.test(raw) || port < 1 || port > 65_535) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option --broker-port: expected a port number from 1 to 65535, got "${raw}"`);
  }
  return port;
}

function parseRpcUrl(raw: string): string {
  if (!/^https?:\/\/[^\s]+$/.test(raw)) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option --rpc: expected an http(s) URL such as http://127.0.0.1:8545, got "${raw}"`);
  }
  return raw;
}

function parseKey(raw: string): string {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(raw)) {
    throw new PinbenchError('CLI_ARGS_INVALID', 'option --operator-key: expected 32 bytes of hex (64 hex digits, optional 0x)');
  }
  return raw.startsWith('0x') ? raw : `0x${raw}`;
}

const FLEET_PROCESS_MODES = ['inline', 'child', 'auto'] as const;

function parseFleetProcess(raw: string): 'inline' | 'child' | 'auto' {
  const mode = FLEET_PROCESS_MODES.find((m) => m === raw);
  if (mode === undefined) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option --fleet-process: expected inline, child or auto, got "${raw}"`);
  }
  return mode;
}

export function parseCli(argv: string[]): RunCommand | ResumeCommand | HelpCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'broker-port': { type: 'string' },
        rpc: { type: 'string' },
        'operator-key': { type: 'string' },
        out: { type: 'string' },
        cache: { type: 'string' },
        ptau: { type: 'string' },
        'fleet-process': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (cause) {
    throw new PinbenchError('CLI_ARGS_INVALID', `${(cause as Error).message}; run \`pinbench --help\` for the options`, { cause });
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { command: 'help', text: USAGE };
  const [command, scenarioFile, ...extra] = positionals;
  if (command !== 'run' && command !== 'resume') {
    throw new PinbenchError('CLI_ARGS_INVALID', `unknown command "${command}"; the commands are \`pinbench run <scenario.yaml>\` and \`pinbench resume <run folder>\``);
  }
  if (values['operator-key'] !== undefined && values.rpc === undefined) {
    throw new PinbenchError('CLI_ARGS_INVALID', 'option --operator-key only applies with --rpc; the embedded anvil uses its own dev account');
  }
  if (command === 'resume') {
    if (scenarioFile === undefined) throw new PinbenchError('CLI_ARGS_INVALID', 'missing run folder; try `pinbench resume runs/<time>-<scenario>`');
    if (extra.length > 0) throw new PinbenchError('CLI_ARGS_INVALID', `unexpected argument "${extra[0]}"; give one run folder`);
    for (const flag of ['broker-port', 'out', 'fleet-process'] as const) {
      if (values[flag] !== undefined) throw new PinbenchError('CLI_ARGS_INVALID', `option --${flag} does not apply to resume, which runs no fleet`);
    }
    return {
      command: 'resume',
      runDir: scenarioFile,
      rpcUrl: values.rpc === undefined ? undefined : parseRpcUrl(values.rpc),
      operatorKey: values['operator-key'] === undefined ? undefined : parseKey(values['operator-key']),
      cacheDir: values.cache,
      ptauPath: values.ptau,
      quiet: values.quiet,
    };
  }
  if (scenarioFile === undefined) {
    throw new PinbenchError('CLI_ARGS_INVALID', 'missing scenario file; try `pinbench run scenarios/smoke.yaml`');
  }
  if (extra.length > 0) throw new PinbenchError('CLI_ARGS_INVALID', `unexpected argument "${extra[0]}"; give one scenario file`);
  return {
    command: 'run',
    scenarioFile,
    brokerPort: values['broker-port'] === undefined ? undefined : parsePort(values['broker-port']),
    rpcUrl: values.rpc === undefined ? undefined : parseRpcUrl(values.rpc),
    operatorKey: values['operator-key'] === undefined ? undefined : parseKey(values['operator-key']),
    outDir: values.out ?? 'runs',
    cacheDir: values.cache,
    ptauPath: values.ptau,
    fleetProcess: values['fleet-process'] === undefined ? undefined : parseFleetProcess(values['fleet-process']),
    quiet: values.quiet,
  };
}
