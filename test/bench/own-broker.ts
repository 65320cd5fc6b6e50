// `npm run bench:own-broker`: pinbench's backend as a client of Debian's mosquitto, its uplinks
// taken by the backend's own connection or by 1 or 2 ingest worker processes (--ingest-workers),
// under the same saturating load (the bench's load process: one mqtt.js connection per device,
// pre-signed packages at QoS 1). Prints JSON with accepted/s per setting (medians over --repeat),
// the ratio of each to the in-process client, and the commit it ran on.
// Flags: --connections 200 --duration-s 10 --warmup-s 2 --repeat 3 --window 8 --workers 0,1,2
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveDeviceKey } from '../../devices/index.ts';
import { DeviceDirectory, type DeviceRegistryPort } from '../../backend/directory/device-directory.ts';
import { RunStore } from '../../backend/store/run-store.ts';
import { startBackend } from '../../backend/start-backend.ts';
import { createEpochCalendar } from '../../backend/epochs/calendar.ts';
import { BACKEND_USERNAME } from '../../sim/provision/broker-logins.ts';
import { mosquittoAcl, mosquittoPasswdLine } from '../../sim/provision/broker-files.ts';
import { DEFAULT_TOPICS } from '../../protocol/topics.ts';
import { silentLogger } from '../../core/ports.ts';
import { startMosquitto } from '../support/mosquitto.ts';
import { BENCH_SEED, benchDeviceId, benchPassword, writePackages } from './packages.ts';
import type { LoadCommand, LoadReply } from './protocol.ts';
import { benchArgs, integer, integers, number, positive } from './bench-args.ts';

interface Flags {
  connections: number;
  durationS: number;
  warmupS: number;
  repeat: number;
  window: number;
  workers: number[];
}

function parseFlags(): Flags {
  return benchArgs({
    connections: integer(200),
    durationS: positive(10),
    warmupS: number(2),
    repeat: integer(3),
    window: integer(8),
    workers: integers([0, 1, 2], 0),
  });
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The bench's load process (test/bench/load.ts): `ask` sends a command and awaits its reply. */
function loadProcess() {
  const proc: ChildProcess = fork(new URL('./load.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting: Array<(reply: LoadReply) => void> = [];
  proc.on('message', (reply: LoadReply) => {
    if (reply.kind === 'ready' || reply.kind === 'window-start' || reply.kind === 'window-end') return onMark?.(reply.kind);
    waiting.shift()?.(reply);
  });
  let onMark: ((kind: string) => void) | undefined;
  return {
    ask: (command: LoadCommand) => new Promise<LoadReply>((resolve) => (waiting.push(resolve), proc.send(command))),
    onMark: (handler: (kind: string) => void) => void (onMark = handler),
    kill: () => proc.kill(),
  };
}

/** Registers each device at once, in order: the chain is not what this bench measures. */
function benchRegistry(): DeviceRegistryPort {
  let next = 1;
  return { register: async (devices) => devices.map((d) => ({ index: next++, deviceId: d.deviceId, publicKey: d.publicKey, owner: d.owner })) } as DeviceRegistryPort;
}

async function oneRun(input: { flags: Flags; workers: number; url: string; backendPassword: string; packagesFile: string; t0S: number; dir: string }): Promise<number> {
  const { flags, workers, url } = input;
  const dir = mkdtempSync(join(input.dir, `w${workers}-`));
  const store = new RunStore(join(dir, 'run.db'));
  const directory = new DeviceDirectory({ registry: benchRegistry(), store, logger: silentLogger });
  for (let d = 0; d < flags.connections; d++) {
    const key = deriveDeviceKey(BENCH_SEED, d);
    directory.provision({ deviceId: benchDeviceId(d), password: benchPassword(d), publicKey: key.publicKey, curve: 'p256', owner: `0x${'11'.repeat(20)}`, uploadPeriodS: 1 });
  }
  await Promise.all(Array.from({ length: flags.connections }, (_, d) => directory.register(benchDeviceId(d))));
  const stops: Array<() => Promise<void>> = [];
  const nowMs = () => input.t0S * 1000;
  const backend = await startBackend({
    store, directory, calendar: createEpochCalendar(input.t0S - 10, 100_000, 1), maxClockSkewS: 86_400, nowMs, wallNowMs: () => Date.now(),
    io: { publishArrived: () => undefined, track: (p) => p, addPending: () => undefined },
    external: {
      login: { url, username: BACKEND_USERNAME, password: input.backendPassword }, clientId: `bench-backend-${process.pid}-${workers}`,
      ...(workers === 0 ? {} : { workers: { count: workers, codec: 'pebble-v2' as const, logPath: join(dir, 'ingest-workers.log') } }),
    },
    logger: silentLogger, onStarted: (stop) => void stops.push(stop),
  });
  const load = loadProcess();
  let atStart = 0;
  let accepted = 0;
  let startedAt = 0;
  load.onMark((kind) => {
    if (kind === 'window-start') {
      atStart = backend.ingest.counters.accepted;
      startedAt = performance.now();
    } else if (kind === 'window-end') accepted = ((backend.ingest.counters.accepted - atStart) * 1000) / (performance.now() - startedAt);
  });
  await load.ask({ cmd: 'connect', url, connections: flags.connections, concurrency: 100, packagesFile: input.packagesFile, recycle: false });
  await load.ask({ cmd: 'blast', warmupS: flags.warmupS, durationS: flags.durationS, window: flags.window });
  await load.ask({ cmd: 'disconnect' });
  load.kill();
  for (const stop of stops.reverse()) await stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return Math.round(accepted);
}

async function main(): Promise<void> {
  const flags = parseFlags();
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-bench-own-broker-'));
  const backendPassword = 'bench-backend';
  const logins = [{ username: BACKEND_USERNAME, password: backendPassword }, ...Array.from({ length: flags.connections }, (_, d) => ({ username: benchDeviceId(d), password: benchPassword(d) }))];
  writeFileSync(join(dir, 'mosquitto.passwd'), logins.map(mosquittoPasswdLine).join('\n') + '\n', { mode: 0o600 });
  writeFileSync(join(dir, 'mosquitto.acl'), mosquittoAcl(DEFAULT_TOPICS, BACKEND_USERNAME));
  mkdirSync(join(dir, 'broker'));
  const broker = await startMosquitto({ dir: join(dir, 'broker'), passwordFile: join(dir, 'mosquitto.passwd'), aclFile: join(dir, 'mosquitto.acl') });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const t0S = Math.floor(Date.now() / 1000);
  // Enough distinct packages for every run's window at the rates seen here, none replayed.
  const perDevice = Math.ceil((40_000 * (flags.durationS + flags.warmupS + 2)) / flags.connections);
  const packagesFile = join(dir, 'packages.bin');
  log(`signing ${flags.connections} × ${perDevice} packages…`);
  writePackages(packagesFile, flags.connections, perDevice, t0S);
  const results: Record<number, number[]> = {};
  try {
    for (let r = 0; r < flags.repeat; r++) {
      // Alternating settings within each repeat, so a slow minute of a shared machine hits all of them.
      for (const workers of flags.workers) {
        const rate = await oneRun({ flags, workers, url, backendPassword, packagesFile, t0S, dir });
        (results[workers] ??= []).push(rate);
        log(`repeat ${r + 1}: ${workers === 0 ? 'backend connection' : `${workers} ingest workers`}: ${rate} accepted/s`);
      }
    }
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const base = median(results[flags.workers[0]!]!);
  const out = {
    bench: 'own-broker',
    commit,
    broker: 'Debian mosquitto on loopback',
    cores: availableParallelism(),
    connections: flags.connections,
    durationS: flags.durationS,
    repeat: flags.repeat,
    acceptedPerS: Object.fromEntries(flags.workers.map((w) => [w === 0 ? 'backendConnection' : `workers${w}`, { median: median(results[w]!), runs: results[w] }])),
    ratioToFirst: Object.fromEntries(flags.workers.map((w) => [w === 0 ? 'backendConnection' : `workers${w}`, Number((median(results[w]!) / base).toFixed(2))])),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

await main();
