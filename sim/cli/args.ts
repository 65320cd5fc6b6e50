import { PinbenchError } from '../../core/errors.ts';
import { IMEI_PATTERN } from '../../protocol/client-ids.ts';
import { parseCommandLine } from './parse-command-line.ts';
import { checkedMetricsAddress } from '../metrics/metrics-endpoint.ts';

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
  listen: string[];
  attach: string[];
  waitFor: string[];
  waitTimeoutMs?: number;
  record: boolean;
  /** `--metrics HOST:PORT` as given (checked here, bound by the run). */
  metrics?: string;
  broker?: string;
  brokerCredentials?: string;
  ca?: string;
  clientCerts?: string;
  backend: 'pinbench' | 'none';
  observe: string[];
  ingestWorkers?: number;
  quiet: boolean;
  /** `--no-live`: plain progress lines even in a terminal. */
  noLive: boolean;
  /** `--junit FILE`: the run's checks and thresholds as JUnit XML. */
  junit?: string;
  /** `--params cap=50,emission=1000`: a sweep's parameter set applied to the scenario's policy. */
  params?: string;
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
       pinbench device add --id <IMEI> --pubkey <pem|hex> --owner <address> [--out <dir>]
       pinbench claim <run folder> --owner-key <hex>
       pinbench bridge serial --port <path> --id <IMEI> --key <file> [options]
       pinbench replay <capture.db> [--speed 1|10|max]
       pinbench provision <scenario.yaml> [--format mosquitto,csv,json] [--out <dir>]
       pinbench test <folder|scenario.yaml…> [--junit <out.xml>] [--summary <out.md>] [--fail-fast]
       pinbench init [name]
       pinbench schema > pinbench.schema.json
       pinbench compare <run A> <run B> [--md <out.md>] [--fail-on-regression 10%]
       pinbench report <run folder>
       pinbench sweep <scenario.yaml> --grid <name=v1,v2,…>… --seeds N [options]

run     Runs a scenario end to end: virtual trackers → embedded MQTT broker → ingest → Groth16
        proof → settlement and rewards on a local anvil chain, and writes runs/<time>-<scenario>/.
resume  Finishes the proofs and settlements a stopped run left in its run.db (after a crash or
        a kill), on the run's chain (the embedded one is kept in the run folder), then lets the
        owners claim.
device  Provisions a real device (\`pinbench device add --help\`): credentials, a client
        certificate and a mosquitto_pub line; a run attaches it with --attach or --wait-for.
claim   The owner of an attached device claims its accrued rewards on the run's chain.
bridge  A GPS receiver or board streaming NMEA on a serial port becomes a device of a run.
provision  Writes the fleet's broker logins for your own broker (Mosquitto passwd and ACL, CSV, JSON).
replay  Plays a capture (\`run --record\`) back as devices, with the original signed payloads.
init    Writes a commented starter scenario, <name>.yaml (default my-scenario.yaml), here.
schema  Prints the scenario files' JSON Schema for editors (\`pinbench schema --help\`).
sweep   Sweeps the reward policy over a grid of parameter sets and seeded fleets in fast mode
        (\`pinbench sweep --help\`): sweep.json, sweep.csv, sweep.html.

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
  --listen <url>         broker listener, repeatable: mqtt://, mqtts://, ws://, wss:// host:port
                         (port 0 = a free one; TLS with the local CA in $PINBENCH_HOME/ca)
  --attach <IMEI,…>      attach devices provisioned by \`pinbench device add\` (real time only)
  --wait-for <IMEI,…>    attach these and hold the clock until they are online
  --wait-timeout <time>  how long to wait for them (default 120s; e.g. 90s, 5m)
  --record               write every device publish received to <run folder>/capture.db
  --metrics <host:port>  serve live metrics in Prometheus text format at http://host:port/metrics
                         while the run runs (a port alone: on 127.0.0.1; 0 = a free port)

Your own broker (see \`pinbench provision\` for its credentials):
  --broker <url>         the fleet connects to this broker instead of the embedded one, and
                         pinbench's backend is a client of it: mqtt://, mqtts://, ws://, wss://,
                         the backend's login optional in it (mqtt://user:password@host:port)
  --broker-credentials <backend.json>
                         the backend's login as \`pinbench provision\` wrote it
  --ca <file.pem>        the CA of that broker's certificate (mqtts://, wss://)
  --client-certs <dir>   client certificates <username>.cert.pem/.key.pem (provision --tls: DIR/certs)
  --backend <which>      pinbench (default): the whole pipeline through that broker;
                         none: the fleet only, measuring publish → PUBACK, connects and refusals
  --observe <filter>     with --backend none: subscribe to what your backend publishes back
                         (repeatable) and report reading → response latency
  --ingest-workers <n>   ingest processes sharing one subscription on your broker (default 1)
  --junit <file>         write the run's checks and thresholds as JUnit XML here
  --params <set>         run one parameter set of \`pinbench sweep\` through the whole pipeline:
                         its label, e.g. cap=50,emission=1000, applied to the scenario's policy
  --no-live              plain progress lines instead of the live terminal view (the view
                         is used only when stdout is a terminal and CI is not set)
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

/** `--attach 351…,352…` or repeated: IMEIs, 15 digits each. */
function parseIds(option: string, raw: string[] | undefined): string[] {
  const ids = (raw ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  for (const id of ids) {
    if (!IMEI_PATTERN.test(id)) throw new PinbenchError('CLI_ARGS_INVALID', `option --${option}: expected IMEIs of 15 digits, comma-separated, got "${id}"`);
  }
  return ids;
}

/** `120s`, `2m`, `500ms`, or a bare number of seconds. */
export function parseDuration(option: string, raw: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (m === null || Number(m[1]) <= 0) throw new PinbenchError('CLI_ARGS_INVALID', `option --${option}: expected a duration such as 120s, 5m or 500ms, got "${raw}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
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
  const parsed = parseCommandLine(argv, {
    'broker-port': { type: 'string' },
    rpc: { type: 'string' },
    'operator-key': { type: 'string' },
    out: { type: 'string' },
    cache: { type: 'string' },
    ptau: { type: 'string' },
    'fleet-process': { type: 'string' },
    listen: { type: 'string', multiple: true },
    attach: { type: 'string', multiple: true },
    'wait-for': { type: 'string', multiple: true },
    'wait-timeout': { type: 'string' },
    record: { type: 'boolean', default: false },
    metrics: { type: 'string' },
    broker: { type: 'string' },
    'broker-credentials': { type: 'string' },
    ca: { type: 'string' },
    'client-certs': { type: 'string' },
    backend: { type: 'string' },
    observe: { type: 'string', multiple: true },
    'ingest-workers': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'no-live': { type: 'boolean', default: false },
    junit: { type: 'string' },
    params: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  }, `run \`pinbench --help\` for the options`);
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { command: 'help', text: USAGE };
  const [command, scenarioFile, ...extra] = positionals;
  if (command !== 'run' && command !== 'resume') {
    throw new PinbenchError('CLI_ARGS_INVALID', `unknown command "${command}"; the commands are run, resume, device, claim, bridge, replay, provision, test, init, schema, compare, report and sweep (\`pinbench --help\`)`);
  }
  if (values['operator-key'] !== undefined && values.rpc === undefined) {
    throw new PinbenchError('CLI_ARGS_INVALID', 'option --operator-key only applies with --rpc; the embedded anvil uses its own dev account');
  }
  if (command === 'resume') {
    if (scenarioFile === undefined) throw new PinbenchError('CLI_ARGS_INVALID', 'missing run folder; try `pinbench resume runs/<time>-<scenario>`');
    if (extra.length > 0) throw new PinbenchError('CLI_ARGS_INVALID', `unexpected argument "${extra[0]}"; give one run folder`);
    for (const flag of ['broker-port', 'out', 'fleet-process', 'listen', 'attach', 'wait-for', 'wait-timeout', 'metrics', 'broker', 'broker-credentials', 'ca', 'client-certs', 'backend', 'observe', 'ingest-workers', 'junit', 'params'] as const) {
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
  if (values.broker !== undefined && !/^(mqtts?|wss?):\/\/[^\s/]+/.test(values.broker)) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option --broker: expected mqtt://, mqtts://, ws:// or wss:// and a host, e.g. mqtt://pinbench-backend:<password>@127.0.0.1:1883, got "${values.broker}"`);
  }
  const backend = parseBackend(values.backend);
  const observe = values.observe ?? [];
  if (observe.length > 0 && backend !== 'none') throw new PinbenchError('CLI_ARGS_INVALID', "option --observe watches what your backend publishes back: it needs --backend none (pinbench's own backend answers nothing to observe)");
  for (const filter of observe) checkObserveFilter(filter);
  const ingestWorkers = values['ingest-workers'] === undefined ? undefined : parseWorkers(values['ingest-workers']);
  if (ingestWorkers !== undefined && values.broker === undefined) throw new PinbenchError('CLI_ARGS_INVALID', 'option --ingest-workers splits the traffic of your broker (--broker) between ingest processes; the embedded broker hands it to one ingest');
  if (values.junit !== undefined && backend === 'none') throw new PinbenchError('CLI_ARGS_INVALID', 'option --junit writes the checks of pinbench\'s backend, which --backend none does not run; its report.json has what the fleet saw');
  if (values.params !== undefined && backend === 'none') throw new PinbenchError('CLI_ARGS_INVALID', 'option --params sets the reward policy, which --backend none does not apply (no settlement runs); drop one of them');
  if (ingestWorkers !== undefined && backend === 'none') throw new PinbenchError('CLI_ARGS_INVALID', 'option --ingest-workers does not apply with --backend none, which runs no ingest');
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
    listen: values.listen ?? [],
    attach: parseIds('attach', values.attach),
    waitFor: parseIds('wait-for', values['wait-for']),
    waitTimeoutMs: values['wait-timeout'] === undefined ? undefined : parseDuration('wait-timeout', values['wait-timeout']),
    record: values.record,
    ...(values.metrics === undefined ? {} : { metrics: checkedMetricsAddress(values.metrics) }),
    ...(values.broker === undefined ? {} : { broker: values.broker }),
    ...(values['broker-credentials'] === undefined ? {} : { brokerCredentials: values['broker-credentials'] }),
    ...(values.ca === undefined ? {} : { ca: values.ca }),
    ...(values['client-certs'] === undefined ? {} : { clientCerts: values['client-certs'] }),
    backend,
    observe,
    ...(ingestWorkers === undefined ? {} : { ingestWorkers }),
    quiet: values.quiet,
    noLive: values['no-live'],
    ...(values.junit === undefined ? {} : { junit: values.junit }),
    ...(values.params === undefined ? {} : { params: values.params }),
  };
}

function parseBackend(raw: string | undefined): 'pinbench' | 'none' {
  if (raw === undefined || raw === 'pinbench') return 'pinbench';
  if (raw === 'none') return 'none';
  throw new PinbenchError('CLI_ARGS_INVALID', `option --backend: expected pinbench or none, got "${raw}"`);
}

function parseWorkers(raw: string): number {
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || n < 1 || n > 64) throw new PinbenchError('CLI_ARGS_INVALID', `option --ingest-workers: expected a whole number from 1 to 64, got "${raw}"`);
  return n;
}

/** An MQTT topic filter [MQTT-4.7.1]: `#` only last and alone in its level, `+` alone in its level. */
export function checkObserveFilter(filter: string): void {
  const bad = (why: string) => new PinbenchError('CLI_ARGS_INVALID', `option --observe "${filter}": ${why}; e.g. --observe 'backend/+/ack'`);
  if (filter.length === 0) throw bad('empty topic filter');
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) throw bad('# must be a whole level and the last one');
    if (level.includes('+') && level !== '+') throw bad('+ must be a whole level');
  });
}
