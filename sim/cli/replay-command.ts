import type { Logger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import { openCapture } from '../capture/capture-reader.ts';
import { replayIntoBroker } from '../replay/live-replay.ts';
import { replayScenarioOf, type ReplaySpeed } from '../replay/replay-scenario.ts';
import { runScenario } from '../run/run-scenario.ts';
import { runResultLines } from './run-result.ts';
import { parseCommandLine } from './parse-command-line.ts';

export const REPLAY_USAGE = `Usage: pinbench replay <capture.db> [--speed 1|10|max] [--out <dir>] [--cache <dir>] [--rpc <url> --operator-key <hex>]
       pinbench replay <capture.db> --credentials <dir> [--to <mqtt url>] [--speed 1|10|max]

Plays a capture (written by \`pinbench run --record\` into the run folder) back as devices, with
their original signed readings.

Into a fresh run (default): a scenario of the recording run's epochs, reward rule and proof
shape whose fleet is the capture's devices, registered with their recorded keys and owners.
Their readings are accepted and paid as in the original; the result line is \`pinbench run\`'s.

Into a live broker (--credentials): each device logs in with <dir>/<IMEI>.json and publishes
its recorded readings. Played into the run that recorded them, every one is rejected as
\`replay\` (see that run's report and run.db).

Options:
  --speed <s>            1: real time; another number: that many times faster; max (default):
                         as fast as the run (or the broker's acknowledgements) can go
  --out <dir>            where the replay's run folder goes (default: runs)
  --cache <dir>          circuit and contract cache (default: $PINBENCH_CACHE or ~/.cache/pinbench)
  --rpc <url>            settle on this EVM JSON-RPC endpoint instead of starting anvil
  --operator-key <hex>   operator private key for --rpc (default: anvil's first dev account)
  --credentials <dir>    play into a live broker, logging in with the credentials files there
  --to <mqtt url>        the broker to play into (default: each credentials file's url)
  --quiet                print only the result
  -h, --help             show this help
`;

export interface ReplayCommand {
  command: 'replay';
  capture: string;
  speed: ReplaySpeed;
  outDir: string;
  cacheDir?: string;
  rpcUrl?: string;
  operatorKey?: string;
  credentialsDir?: string;
  to?: string;
  quiet: boolean;
}

function parseSpeed(raw: string): ReplaySpeed {
  if (raw === 'max') return 'max';
  const speed = Number(raw);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(raw) || !(speed > 0)) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option --speed: expected 1 (real time), a positive number such as 10, or max, got "${raw}"`);
  }
  return speed;
}

/** `pinbench replay …` (argv after the command name). */
export function parseReplayArgs(argv: string[]): ReplayCommand | { help: string } {
  const parsed = parseCommandLine(argv, {
    speed: { type: 'string' },
    out: { type: 'string' },
    cache: { type: 'string' },
    rpc: { type: 'string' },
    'operator-key': { type: 'string' },
    credentials: { type: 'string' },
    to: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  }, `see \`pinbench replay --help\``);
  const { values, positionals } = parsed;
  if (values.help) return { help: REPLAY_USAGE };
  if (positionals.length !== 1) throw new PinbenchError('CLI_ARGS_INVALID', 'give one capture: `pinbench replay runs/<time>-<scenario>/capture.db`');
  if (values.to !== undefined && values.credentials === undefined) {
    throw new PinbenchError('CLI_ARGS_INVALID', 'option --to needs --credentials <dir>: the devices log in to a live broker with their credentials files');
  }
  if (values.to !== undefined && !/^(mqtts?|wss?):\/\/\S+$/.test(values.to)) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option --to: expected a broker URL such as mqtt://127.0.0.1:1883, got "${values.to}"`);
  }
  if (values.credentials !== undefined) {
    const runOnly = (['out', 'cache', 'rpc', 'operator-key'] as const).find((option) => values[option] !== undefined);
    if (runOnly !== undefined) throw new PinbenchError('CLI_ARGS_INVALID', `option --${runOnly} is for a replay into a fresh run; with --credentials the live run that listens has its own`);
  }
  if (values.rpc !== undefined && !/^https?:\/\/\S+$/.test(values.rpc)) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option --rpc: expected an http(s) URL such as http://127.0.0.1:8545, got "${values.rpc}"`);
  }
  const operatorKey = values['operator-key'];
  if (operatorKey !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(operatorKey)) {
    throw new PinbenchError('CLI_ARGS_INVALID', 'option --operator-key: expected 32 bytes of hex (64 hex digits, optional 0x)');
  }
  return {
    command: 'replay',
    capture: positionals[0]!,
    speed: values.speed === undefined ? 'max' : parseSpeed(values.speed),
    outDir: values.out ?? 'runs',
    ...(values.cache === undefined ? {} : { cacheDir: values.cache }),
    ...(values.rpc === undefined ? {} : { rpcUrl: values.rpc }),
    ...(operatorKey === undefined ? {} : { operatorKey: operatorKey.startsWith('0x') ? operatorKey : `0x${operatorKey}` }),
    ...(values.credentials === undefined ? {} : { credentialsDir: values.credentials }),
    ...(values.to === undefined ? {} : { to: values.to }),
    quiet: values.quiet,
  };
}

/**
 * Runs `pinbench replay`; returns the exit code (0: the replay run passed every check, or every
 * reading reached the live broker). A PinbenchError (an unreadable capture, a refused login)
 * is thrown for the caller to print as one line.
 */
export async function runReplayCommand(cmd: ReplayCommand, io: { logger: Logger; signal?: AbortSignal; stdout: (line: string) => void }): Promise<number> {
  const capture = openCapture(cmd.capture);
  if (cmd.credentialsDir !== undefined) {
    try {
      if (!capture.meta.complete) io.logger.warn(`${capture.path}: the recording run stopped before its end; playing the ${capture.publishCount} publishes it holds`);
      const played = await replayIntoBroker({
        capture, credentialsDir: cmd.credentialsDir, speed: cmd.speed, logger: io.logger,
        ...(cmd.to === undefined ? {} : { url: cmd.to }),
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      });
      const ok = played.failed === 0 && !io.signal?.aborted;
      io.stdout(
        `${ok ? 'DONE' : 'FAIL'} replay ${cmd.capture} → ${cmd.to ?? 'the credentials files\' broker'}: ${played.acknowledged} readings of ${played.devices} devices acknowledged` +
          `${played.failed > 0 ? `, ${played.failed} not` : ''}; the listening run's report says how its ingest judged them`,
      );
      return ok ? 0 : 1;
    } finally {
      capture.close();
    }
  }
  const scenario = replayScenarioOf(capture, cmd.speed);
  capture.close();
  const result = await runScenario(scenario, {
    outDir: cmd.outDir,
    logger: io.logger,
    ...(cmd.cacheDir === undefined ? {} : { cacheDir: cmd.cacheDir }),
    ...(cmd.rpcUrl === undefined ? {} : { rpcUrl: cmd.rpcUrl }),
    ...(cmd.operatorKey === undefined ? {} : { operatorKey: cmd.operatorKey }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  });
  for (const line of runResultLines(result)) io.stdout(line);
  return result.exitCode;
}
