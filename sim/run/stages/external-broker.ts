import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PinbenchError } from '../../../core/errors.ts';
import type { ExternalBrokerLogin } from '../../../backend/broker/broker-client.ts';
import type { BrokerTarget } from '../../mqtt/broker-target.ts';
import { BACKEND_USERNAME } from '../../provision/broker-logins.ts';

/** How a run reaches a team's broker, as given on the command line or in the scenario's `broker:` section. */
export interface ExternalBrokerInput {
  /** `--broker` or `broker.url`: mqtt://, mqtts://, ws:// or wss://, the backend's login optionally in it (`mqtt://user:password@host:port`). */
  url: string;
  /** `--broker-credentials`: the `backend.json` `pinbench provision` wrote. */
  credentialsFile?: string;
  /** `--ca`: the CA that signed the broker's certificate. */
  caFile?: string;
  /** `--client-certs`: the folder of client certificates (`<username>.cert.pem`, `.key.pem`). */
  clientCertDir?: string;
}

export interface ExternalBroker {
  /** Where the fleet's devices connect, with their TLS material. */
  readonly target: BrokerTarget;
  /** How pinbench's backend logs in there. */
  readonly login: ExternalBrokerLogin;
}

const PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'ws:', 'wss:']);
const EXAMPLE = 'e.g. --broker mqtt://pinbench-backend:<password>@127.0.0.1:1883 or --broker mqtts://broker.example:8883 --ca ca.pem';

function invalid(message: string, details: Record<string, unknown> = {}): PinbenchError {
  return new PinbenchError('BROKER_URL_INVALID', message, { details });
}

function readPem(path: string, what: string, option: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option ${option}: cannot read ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!text.includes('-----BEGIN ')) throw new PinbenchError('CLI_ARGS_INVALID', `option ${option}: ${path} is not a PEM file (no -----BEGIN line); give the ${what} in PEM form`);
  return text;
}

/** The backend's `{ username, password }` from a `backend.json`, with an error that says which part is wrong. */
function readBackendCredentials(path: string): { username: string; password: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option --broker-credentials: cannot read ${path} as JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the backend.json \`pinbench provision\` wrote`);
  }
  const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string' || username.length === 0) {
    throw new PinbenchError('CLI_ARGS_INVALID', `option --broker-credentials: ${path} must hold { "username": "...", "password": "..." } as \`pinbench provision\` writes it`);
  }
  return { username, password };
}

/**
 * Checks how a run reaches a team's broker before anything starts, and splits it into the
 * devices' target (the URL without the backend's login) and the backend's own login. The URL's
 * user and password win over a credentials file; with neither, the backend logs in without.
 */
export function resolveExternalBroker(input: ExternalBrokerInput): ExternalBroker {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw invalid(`broker "${input.url}" is not a URL; ${EXAMPLE}`, { url: input.url });
  }
  if (!PROTOCOLS.has(url.protocol)) throw invalid(`broker "${input.url}": expected mqtt://, mqtts://, ws:// or wss://, got ${url.protocol}//; ${EXAMPLE}`, { url: input.url });
  if (url.hostname === '') throw invalid(`broker "${input.url}": no host; ${EXAMPLE}`, { url: input.url });
  const tls = url.protocol === 'mqtts:' || url.protocol === 'wss:';
  const userInUrl = url.username === '' ? undefined : { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  const fromFile = input.credentialsFile === undefined ? undefined : readBackendCredentials(input.credentialsFile);
  const backendLogin = userInUrl ?? fromFile;
  url.username = '';
  url.password = '';
  // `new URL` keeps a trailing slash on a bare host; the MQTT URL is written without.
  const plainUrl = url.pathname === '/' && !input.url.endsWith('/') ? url.toString().replace(/\/$/, '') : url.toString();
  if (input.caFile !== undefined && !tls) throw new PinbenchError('CLI_ARGS_INVALID', `option --ca names the CA of a TLS broker, but ${plainUrl} is not mqtts:// or wss://`);
  if (input.clientCertDir !== undefined && !tls) throw new PinbenchError('CLI_ARGS_INVALID', `option --client-certs gives client certificates for TLS, but ${plainUrl} is not mqtts:// or wss://`);
  const caPem = input.caFile === undefined ? undefined : readPem(input.caFile, 'CA certificate', '--ca');
  const clientCertDir = input.clientCertDir === undefined ? undefined : resolve(input.clientCertDir);
  if (clientCertDir !== undefined && !existsSync(clientCertDir)) throw new PinbenchError('CLI_ARGS_INVALID', `option --client-certs: no folder ${clientCertDir}; write the certificates with \`pinbench provision <scenario> --tls --out DIR\` and pass DIR/certs`);
  const backendUser = backendLogin?.username ?? BACKEND_USERNAME;
  const backendCert = clientCertDir === undefined ? undefined : join(clientCertDir, `${backendUser}.cert.pem`);
  const withCert = backendCert !== undefined && existsSync(backendCert);
  const login: ExternalBrokerLogin = {
    url: plainUrl,
    ...(backendLogin === undefined ? (withCert ? { username: backendUser } : {}) : backendLogin),
    ...(caPem === undefined ? {} : { caPem }),
    ...(withCert ? { certPem: readPem(backendCert!, "backend's client certificate", '--client-certs'), keyPem: readPem(join(clientCertDir!, `${backendUser}.key.pem`), "backend's client key", '--client-certs') } : {}),
  };
  const target: BrokerTarget = { url: plainUrl, ...(caPem === undefined ? {} : { caPem }), ...(clientCertDir === undefined ? {} : { clientCertDir }) };
  return { target, login };
}

/** The team's broker of a run, from the command line or else the scenario (its paths relative to the scenario file). */
export function externalBrokerOf(
  scenario: { broker: { url?: string; ca?: string; clientCerts?: string; credentials?: string } },
  source: string,
  options: { broker?: string; brokerCredentials?: string; ca?: string; clientCerts?: string },
): ExternalBroker | undefined {
  const fromScenario = scenario.broker;
  const url = options.broker ?? fromScenario.url;
  if (url === undefined) {
    for (const [flag, value] of [['--broker-credentials', options.brokerCredentials], ['--ca', options.ca], ['--client-certs', options.clientCerts]] as const) {
      if (value !== undefined) throw new PinbenchError('CLI_ARGS_INVALID', `option ${flag} is for a team's broker: give --broker <url> too`);
    }
    return undefined;
  }
  const dir = source === '(object)' ? process.cwd() : resolve(source, '..');
  const scenarioPath = (path: string | undefined) => (path === undefined ? undefined : resolve(dir, path));
  const pick = (flag: string | undefined, inScenario: string | undefined) => flag ?? scenarioPath(inScenario);
  return resolveExternalBroker({
    url,
    ...optional('credentialsFile', pick(options.brokerCredentials, fromScenario.credentials)),
    ...optional('caFile', pick(options.ca, fromScenario.ca)),
    ...optional('clientCertDir', pick(options.clientCerts, fromScenario.clientCerts)),
  });
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** What belongs to the embedded broker cannot be asked of a run on a team's broker. */
export function refuseWithExternalBroker(options: { listen?: readonly string[]; attach?: readonly string[]; waitFor?: readonly string[] }, attachedInScenario: number): void {
  if ((options.listen ?? []).length > 0) throw new PinbenchError('CLI_ARGS_INVALID', "option --listen adds listeners to the embedded broker, which --broker replaces with your own: give one or the other");
  if ((options.attach ?? []).length > 0 || (options.waitFor ?? []).length > 0 || attachedInScenario > 0) {
    throw new PinbenchError('CLI_ARGS_INVALID', 'attached devices (--attach, --wait-for, attached:) join the embedded broker, which --broker replaces: attach real devices in a run on the embedded broker, or provision them on your broker like the fleet');
  }
}
