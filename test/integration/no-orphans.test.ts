import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProvisionArgs, provisionFleet, writeProvisionFiles } from '../../sim/cli/provision-command.ts';
import { testCacheDir } from '../support/cache.ts';
import { requireMosquitto, startMosquitto, type RunningMosquitto } from '../support/mosquitto.ts';
import { recordDescendants, stillAlive, type ProcessEntry } from '../support/process-tree.ts';

/**
 * 6 trackers in their own fleet process, three short accelerated epochs: the run goes through
 * the connect storm, epochs, proofs, settlements and claims in about 15 s.
 */
const SCENARIO = `name: orphans
seed: 18
fleet:
  - { count: 6, motion: car, uploadPeriodS: 2 }
epochs: { lengthS: 12, count: 3 }
time: { mode: accelerated }
circuit: { batchSize: 4, readingsPerDevice: 8 }
`;

/** Where a run is killed: told by the progress line that starts it, or by a process of the run seen. */
interface KillPoint {
  line?: RegExp;
  process?: RegExp;
  /** Children the run has surely started by then, besides anvil, its guard, the fleet process and the prover. */
  alsoStarted?: readonly string[];
  env?: Record<string, string>;
}

const KILL_POINTS: ReadonlyArray<{ point: string } & KillPoint> = [
  // tsx's transform cache off: each TypeScript process then runs an esbuild service of its own.
  { point: 'during the connect storm', line: /starting 6 trackers/, env: { TSX_DISABLE_CACHE: '1' }, alsoStarted: ['esbuild (tsx)'] },
  // Epoch 1 of 3 is open and its readings flow.
  { point: 'mid-epoch', line: /epoch 0 closed/ },
  // Epoch 0 is settled; the prover is on the next batch, and its settlement is to come.
  { point: 'mid-settlement', line: /epoch 0 batch 0: proof .* settled in/ },
  { point: 'during claims', line: /claims: \d+ owners claim/ },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

async function blockNumber(rpcUrl: string): Promise<number> {
  const response = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }) });
  return Number(((await response.json()) as { result: string }).result);
}

/** The fleet process is always asked for; `more` adds the options of one case. */
const RUN_OPTIONS = ['--fleet-process', 'child'];

interface Killed {
  /** Every descendant of the run seen while it ran. */
  seen: ProcessEntry[];
  /** Those still alive 5 s after the kill. */
  survivors: ProcessEntry[];
  anvilPort: number;
  /** The embedded broker's port (NaN on a team's broker). */
  brokerPort: number;
  /** The chain's height just before the kill (NaN before anvil answered), and what the state file holds after it. */
  blockBeforeKill: number;
  stateBlock: number | undefined;
  stateMtimeBefore: number | undefined;
  stateMtimeAfter: number | undefined;
  output: string;
}

/**
 * Starts `pinbench run` (bin/pinbench.js, as a user does), records its process tree while it
 * goes, and kills the run's own process (not its group) with SIGKILL as soon as the point is
 * reached. `more` adds options; `cacheDir` replaces the shared cache (a fresh one builds the circuit).
 */
async function runAndKillAt(until: KillPoint, { more = [], cacheDir = testCacheDir }: { more?: readonly string[]; cacheDir?: string } = {}): Promise<Killed> {
  const outDir = mkdtempSync(join(tmpdir(), 'pinbench-orphans-'));
  const file = join(outDir, 'orphans.yaml');
  writeFileSync(file, SCENARIO);
  // Its own process group, only so that a failing test can still clean up after itself.
  const run = spawn(process.execPath, ['bin/pinbench.js', 'run', file, '--out', outDir, '--cache', cacheDir, ...RUN_OPTIONS, ...more], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...until.env },
  });
  const exited = new Promise((resolve) => run.once('exit', resolve));
  const recorder = recordDescendants(run.pid!);
  let output = '';
  let watch: NodeJS.Timeout | undefined;
  const reached = new Promise<void>((resolve, reject) => {
    const onData = (chunk: string) => {
      output += chunk;
      if (until.line?.test(output)) resolve();
    };
    run.stdout.setEncoding('utf8').on('data', onData);
    run.stderr.setEncoding('utf8').on('data', onData);
    if (until.process !== undefined) {
      watch = setInterval(() => {
        if ([...recorder.seen.values()].some((e) => until.process!.test(e.command))) resolve();
      }, 20);
    }
    run.once('exit', (code) => reject(new Error(`the run ended (code ${code}) before ${until.line ?? until.process}:\n${output}`)));
  });
  try {
    await reached;
    clearInterval(watch);
    const anvilPort = Number(/anvil: listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    const brokerPort = Number(/broker listening on mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    const runDir = /run folder (\S+)/.exec(output)![1]!;
    const statePath = join(runDir, 'chain-state.json');
    const blockBeforeKill = Number.isNaN(anvilPort) ? NaN : await blockNumber(`http://127.0.0.1:${anvilPort}`);
    const stateMtimeBefore = existsSync(statePath) ? statSync(statePath).mtimeMs : undefined;
    recorder.sample();
    process.kill(run.pid!, 'SIGKILL');
    recorder.stop();
    await exited;
    const seen = [...recorder.seen.values()];
    for (let waited = 0; waited < 5000 && seen.some(stillAlive); waited += 50) await sleep(50);
    const stateAfter = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as { block: { number: string } }) : undefined;
    return {
      seen,
      survivors: seen.filter(stillAlive),
      anvilPort,
      brokerPort,
      blockBeforeKill,
      stateBlock: stateAfter === undefined ? undefined : Number(stateAfter.block.number),
      stateMtimeBefore,
      stateMtimeAfter: existsSync(statePath) ? statSync(statePath).mtimeMs : undefined,
      output,
    };
  } finally {
    clearInterval(watch);
    recorder.stop();
    try {
      process.kill(-run.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    for (const entry of recorder.seen.values()) if (stillAlive(entry)) process.kill(entry.pid, 'SIGKILL');
  }
}

const kinds = (seen: readonly ProcessEntry[]): string[] => {
  const kind = (command: string): string =>
    /\/anvil-guard\.js /.test(command) ? 'anvil guard'
    : /\/bin\/anvil /.test(command) ? 'anvil'
    : /fleet-process\/child-main\.ts/.test(command) ? 'fleet process'
    : /ingest-workers\/worker-main\.ts/.test(command) ? 'ingest worker'
    : /prove-worker\.js/.test(command) ? 'prover'
    : /circom2\/cli\.js/.test(command) ? 'circom compiler'
    : /esbuild/.test(command) ? 'esbuild (tsx)'
    : command;
  return [...new Set(seen.map((e) => kind(e.command)))].sort();
};

describe('integration: a run killed with SIGKILL leaves no process behind', () => {
  for (const { point, ...until } of KILL_POINTS) {
    it(`behavior: killed ${point}, every process it started is gone within 5 s, anvil saved its state and its port is free`, async () => {
      const killed = await runAndKillAt(until);
      expect(killed.survivors.map((e) => `${e.pid} ${e.command}`)).toEqual([]);
      // The run had started what it starts, so the check above was not vacuous.
      expect(kinds(killed.seen), killed.output).toEqual(expect.arrayContaining(['anvil', 'anvil guard', 'fleet process', 'prover', ...(until.alsoStarted ?? [])]));
      expect(await portFree(killed.anvilPort)).toBe(true);
      expect(await portFree(killed.brokerPort)).toBe(true);
      expectStateSavedOnTheWayOut(killed);
    }, 120_000);
  }
});

describe('integration: a run killed with SIGKILL while it builds its circuit leaves no compiler behind', () => {
  it('behavior: the circom compiler (a program we do not own, busy in one WebAssembly call) is gone within 5 s with the rest', async () => {
    // A cache of its own: the circuit is compiled, and the run is killed once the compiler runs.
    const cacheDir = mkdtempSync(join(tmpdir(), 'pinbench-orphans-cache-'));
    const killed = await runAndKillAt({ process: /circom2\/cli\.js/ }, { cacheDir });
    expect(killed.survivors.map((e) => `${e.pid} ${e.command}`)).toEqual([]);
    // The chain starts alongside the build: whether anvil was up yet at the kill varies.
    expect(kinds(killed.seen), killed.output).toEqual(expect.arrayContaining(['circom compiler', 'fleet process']));
    if (!Number.isNaN(killed.anvilPort)) expect(await portFree(killed.anvilPort)).toBe(true);
  }, 120_000);
});

/** anvil wrote its state on the way out: as far as the chain had gone, and after the kill. */
function expectStateSavedOnTheWayOut(killed: Killed): void {
  expect(killed.stateBlock).toBeGreaterThanOrEqual(killed.blockBeforeKill);
  if (killed.stateMtimeBefore !== undefined) expect(killed.stateMtimeAfter).toBeGreaterThan(killed.stateMtimeBefore);
}

describe("integration: a run on a team's broker with ingest workers, killed with SIGKILL, leaves no process behind", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-orphans-broker-'));
  let mosquitto: RunningMosquitto | undefined;
  let provisionDir = '';

  beforeAll(async () => {
    requireMosquitto();
    const scenarioFile = join(dir, 'orphans.yaml');
    writeFileSync(scenarioFile, SCENARIO);
    provisionDir = join(dir, 'provision');
    const command = parseProvisionArgs([scenarioFile, '--format', 'mosquitto', '--out', provisionDir]);
    if ('help' in command) throw new Error('unexpected help');
    writeProvisionFiles(command, provisionFleet(command));
    mosquitto = await startMosquitto({ dir, passwordFile: join(provisionDir, 'mosquitto.passwd'), aclFile: join(provisionDir, 'mosquitto.acl') });
  }, 60_000);

  afterAll(async () => {
    await mosquitto?.stop();
  });

  it('behavior: killed mid-epoch, its ingest workers are gone within 5 s with the rest, and the team’s broker is left running', async () => {
    const killed = await runAndKillAt({ line: /epoch 0 closed/ }, { more: ['--broker', `mqtt://127.0.0.1:${mosquitto!.port}`, '--broker-credentials', join(provisionDir, 'backend.json'), '--ingest-workers', '2'] });
    expect(killed.survivors.map((e) => `${e.pid} ${e.command}`)).toEqual([]);
    expect(kinds(killed.seen), killed.output).toEqual(expect.arrayContaining(['anvil', 'anvil guard', 'fleet process', 'ingest worker', 'prover']));
    expect(killed.seen.filter((e) => kinds([e])[0] === 'ingest worker')).toHaveLength(2);
    expect(await portFree(killed.anvilPort)).toBe(true);
    expectStateSavedOnTheWayOut(killed);
    // Not the run's to end: the broker it was pointed at still serves.
    expect(mosquitto!.process.exitCode).toBeNull();
    expect(await portFree(mosquitto!.port)).toBe(false);
  }, 120_000);
});
