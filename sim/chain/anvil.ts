import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Network } from 'ethers';
import type { ErrorCode } from '../../core/error-codes.ts';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { spawnGuardedAnvil, type GuardedAnvilProcess } from './guarded-anvil.ts';
import { RetryingJsonRpcProvider } from './retrying-provider.ts';

/** Foundry's well-known development mnemonic (anvil's default): its keys are public, test use only. */
export const ANVIL_DEV_MNEMONIC = 'test test test test test test test test test test test junk';
const DEV_DERIVATION_PATH = "m/44'/60'/0'/0";

export interface StartAnvilOptions {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  logger: Logger;
  /** Interval mining every N seconds; default automine (a block per transaction). */
  blockTimeS?: number;
  /** Number of funded dev accounts; default 10. */
  accountCount?: number;
  /** How long to wait for `eth_chainId` to answer; default 20 s. */
  startTimeoutMs?: number;
  /** Use this anvil binary instead of the one from the npm package. */
  binaryPath?: string;
  /**
   * Keep the chain in this file: loaded at start when it exists, written every
   * `stateIntervalS` (default 5) and on exit, so a run's chain outlives its process.
   */
  statePath?: string;
  stateIntervalS?: number;
  /**
   * Keep at most this many past block states (anvil's `--prune-history N`; 0 keeps only the
   * latest). By default anvil keeps hundreds, each a copy of the whole state made per block:
   * with 10,000 devices registered that is ~2 GiB and halves its transaction rate.
   */
  historyStates?: number;
}

export interface AnvilNode {
  rpcUrl: string;
  port: number;
  pid: number;
  chainId: bigint;
  /** Private keys (0x-hex) of the funded dev accounts, in anvil's order. */
  accounts: string[];
  /** Stops the node (SIGTERM, then SIGKILL after 5 s); safe to call twice. */
  stop(): Promise<void>;
  /** Kills the node at once (SIGKILL), as a crash would: a `statePath` keeps only what it last saved. */
  kill(): Promise<void>;
}

export interface RpcConnection {
  rpcUrl: string;
  chainId: bigint;
  provider: JsonRpcProvider;
}

const TAIL_CHARS = 4000;
const STOP_GRACE_MS = 5000;
const PORT_ATTEMPTS = 3;

const require = createRequire(import.meta.url);

/** Children to kill if the process exits without stopping them (one listener for all). */
const liveChildren = new Set<GuardedAnvilProcess>();
let exitHookInstalled = false;

/** Starts a local anvil from the `@foundry-rs/anvil` npm package and waits until it answers. */
export async function startAnvil(options: StartAnvilOptions): Promise<AnvilNode> {
  const { logger } = options;
  const host = options.host ?? '127.0.0.1';
  const accountCount = options.accountCount ?? 10;
  const binary = options.binaryPath ?? resolveAnvilBinary();
  const args = (port: number): string[] => [
    '--host', host,
    '--port', String(port),
    '--mnemonic', ANVIL_DEV_MNEMONIC,
    '--accounts', String(accountCount),
    ...(options.blockTimeS === undefined ? [] : ['--block-time', String(options.blockTimeS)]),
    ...(options.statePath === undefined ? [] : ['--state', options.statePath, '--state-interval', String(options.stateIntervalS ?? 5)]),
    ...historyArgs(options.historyStates),
  ];

  // A picked port can be taken by someone else before anvil binds it; then pick again.
  const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort(host));
    try {
      return await launch({ binary, args: args(port), host, port, timeoutMs: options.startTimeoutMs ?? 20_000, logger, accounts: devPrivateKeys(accountCount) });
    } catch (error) {
      const portTaken = error instanceof PinbenchError && /address (already )?in use/i.test(String(error.details.stderrTail));
      if (!portTaken || attempt >= attempts) throw error;
      logger.debug(`anvil: port ${port} was taken, trying another`);
    }
  }
}

function historyArgs(states: number | undefined): string[] {
  if (states === undefined) return [];
  if (!Number.isInteger(states) || states < 0) {
    throw new PinbenchError('INVALID_ARGUMENT', `historyStates must be a whole number ≥ 0, got ${states}`);
  }
  return states === 0 ? ['--prune-history'] : ['--prune-history', String(states)];
}

/** Connects to an existing JSON-RPC endpoint (`--rpc URL`), failing clearly when nothing answers. */
export async function connectRpc(
  rpcUrl: string,
  options: { timeoutMs?: number; pollingIntervalMs?: number; logger?: Logger } = {},
): Promise<RpcConnection> {
  let url: URL;
  try {
    url = new URL(rpcUrl);
  } catch (cause) {
    throw new PinbenchError('RPC_URL_INVALID', `RPC URL "${rpcUrl}" is not a valid URL: give an http(s) URL such as http://127.0.0.1:8545`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PinbenchError('RPC_URL_INVALID', `RPC URL "${rpcUrl}" is not http(s): give an http(s) URL such as http://127.0.0.1:8545`);
  }
  let chainId: bigint;
  try {
    chainId = await probeChainIdWithRetries(rpcUrl, options.timeoutMs ?? 5000);
  } catch (cause) {
    throw new PinbenchError(
      'RPC_UNREACHABLE',
      `could not reach RPC at ${rpcUrl}: ${errorText(cause)}; start a node or omit --rpc`,
      { cause, details: { rpcUrl } },
    );
  }
  // A static network stops ethers from re-asking the chain id (and retrying forever when down).
  // The response cache is off: it would hand back a stale 'pending' nonce to a burst of
  // transactions sent within its 250 ms window.
  // Its HTTP requests are sent again when the endpoint drops or refuses them (retrying-provider.ts).
  const provider = new RetryingJsonRpcProvider(rpcUrl, Network.from(chainId), {
    staticNetwork: true,
    cacheTimeout: -1,
    pollingInterval: options.pollingIntervalMs ?? 250,
  }, { logger: options.logger });
  return { rpcUrl, chainId, provider };
}

/** Path of the anvil executable inside the platform package that `@foundry-rs/anvil` depends on. */
export function resolveAnvilBinary(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  const supported = ['linux', 'darwin', 'win32'].includes(process.platform) && arch !== undefined;
  if (!supported) {
    throw new PinbenchError(
      'ANVIL_UNSUPPORTED_PLATFORM',
      `@foundry-rs/anvil ships no binary for ${process.platform}-${process.arch}: run a node yourself and pass --rpc URL`,
    );
  }
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  const candidates: string[] = [];
  try {
    candidates.push(join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', exe));
  } catch {
    // not installed as an optional dependency; the wrapper's postinstall may have downloaded it
  }
  try {
    candidates.push(join(dirname(require.resolve('@foundry-rs/anvil/package.json')), '..', 'dist', exe));
  } catch {
    // wrapper missing too; reported below
  }
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new PinbenchError(
      'ANVIL_MISSING',
      `anvil binary not found (looked in ${pkg}): run \`npm ci\` to install @foundry-rs/anvil and its platform package`,
      { details: { candidates } },
    );
  }
  return found;
}

/** Private keys of the first `count` accounts of the dev mnemonic, as anvil derives them. */
export function devPrivateKeys(count: number): string[] {
  const root = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(ANVIL_DEV_MNEMONIC), DEV_DERIVATION_PATH);
  return Array.from({ length: count }, (_, i) => root.deriveChild(i).privateKey);
}

interface LaunchParams {
  binary: string;
  args: string[];
  host: string;
  port: number;
  timeoutMs: number;
  logger: Logger;
  accounts: string[];
}

async function launch({ binary, args, host, port, timeoutMs, logger, accounts }: LaunchParams): Promise<AnvilNode> {
  // Through a guard that ends anvil (SIGTERM: it saves its state) if this process dies, however it dies.
  const child = spawnGuardedAnvil(binary, args);
  track(child);
  // Both pipes must be drained: a full pipe would block anvil's logging and so the node.
  let stdoutTail = '';
  let stderrTail = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdoutTail = (stdoutTail + chunk).slice(-TAIL_CHARS); });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderrTail = (stderrTail + chunk).slice(-TAIL_CHARS); });

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  exited.then(() => liveChildren.delete(child), () => undefined);

  const rpcUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const fail = (code: ErrorCode, what: string, cause?: unknown): PinbenchError => {
    const tail = (stderrTail || stdoutTail).trim().split('\n').slice(-10).join('\n');
    return new PinbenchError(code, `${what}${tail ? `; anvil output:\n${tail}` : ''}`, {
      cause,
      details: { rpcUrl, binary, args, stderrTail, stdoutTail },
    });
  };

  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (cause) => reject(fail('ANVIL_SPAWN_FAILED', `could not start anvil at ${binary}: ${errorText(cause)}; run \`npm ci\``, cause)));
  });
  const earlyExit = exited.then(() => {
    throw fail('ANVIL_EXITED', `anvil exited during startup (code ${child.exitCode ?? child.signalCode}) on ${rpcUrl}; check the port and flags`);
  });

  const deadline = Date.now() + timeoutMs;
  let settled = false;
  const ready = (async (): Promise<bigint> => {
    for (;;) {
      try {
        return await probeChainId(rpcUrl, 1000);
      } catch (cause) {
        if (settled) throw cause;
        if (Date.now() > deadline) {
          throw fail('ANVIL_START_TIMEOUT', `anvil did not answer eth_chainId on ${rpcUrl} within ${timeoutMs} ms; the machine may be overloaded, raise startTimeoutMs`, cause);
        }
        if (child.exitCode !== null || child.signalCode !== null) await earlyExit;
        await sleep(50);
      }
    }
  })();

  // The promises that lose the race still settle later; nobody needs their outcome.
  for (const p of [ready, spawnError, earlyExit]) p.catch(() => undefined);

  let chainId: bigint;
  try {
    chainId = await Promise.race([ready, spawnError, earlyExit]);
  } catch (error) {
    await terminate(child, exited);
    throw error;
  } finally {
    settled = true;
  }

  logger.info(`anvil: listening on ${rpcUrl} (pid ${child.pid}, chain id ${chainId})`);
  let stopping: Promise<void> | undefined;
  void exited.then(() => {
    if (stopping) return;
    const tail = (stderrTail || stdoutTail).trim().split('\n').slice(-5).join('\n');
    logger.warn(`anvil (pid ${child.pid}) exited unexpectedly (code ${child.exitCode ?? child.signalCode}); chain calls will fail${tail ? `; anvil output:\n${tail}` : ''}`);
  });
  return {
    rpcUrl,
    port,
    pid: child.pid ?? -1,
    chainId,
    accounts,
    stop: () => {
      stopping ??= terminate(child, exited).then(() => logger.debug(`anvil: stopped (pid ${child.pid})`));
      return stopping;
    },
    kill: () => {
      stopping ??= (child.kill('SIGKILL'), exited).then(() => logger.debug(`anvil: killed (pid ${child.pid})`));
      return stopping;
    },
  };
}

async function terminate(child: GuardedAnvilProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined) {
    // Never started, so no 'exit' will come to untrack it.
    liveChildren.delete(child);
    return;
  }
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function track(child: GuardedAnvilProcess): void {
  liveChildren.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a SIGKILL is all that can still be sent.
  process.on('exit', () => {
    for (const c of liveChildren) c.kill('SIGKILL');
  });
}

/** Tries of the first eth_chainId: an endpoint that drops one request in ten must not fail the run at its first. */
const PROBE_TRIES = 3;

async function probeChainIdWithRetries(rpcUrl: string, timeoutMs: number): Promise<bigint> {
  for (let tries = 1; ; tries++) {
    try {
      return await probeChainId(rpcUrl, timeoutMs);
    } catch (error) {
      // An answer that is not JSON-RPC will not become one: only a failed request is tried again.
      if (tries >= PROBE_TRIES || error instanceof SyntaxError || (error instanceof Error && error.message.startsWith('eth_chainId answered'))) throw error;
      await sleep(200 * tries);
    }
  }
}

async function probeChainId(rpcUrl: string, timeoutMs: number): Promise<bigint> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
  if (typeof body.result !== 'string') {
    throw new Error(`eth_chainId answered without a result${body.error?.message ? ` (${body.error.message})` : ''}`);
  }
  return BigInt(body.result);
}

async function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
