// `npm run bench`: bare aedes vs pinbench (broker + full ingest) at the same connection count,
// QoS 1 and payload (a signed Pebble package), broker and load in two processes. Prints JSON
// and writes runs/bench-<time>.json. Flags: --connections 1000,10000 --duration-s 20
// --repeat 3 --paced-s 10 --window N --verify-workers N --openssl-s N; diagnostics: --broker-only
// [--broker-rate N] (the embedded broker with a counting ingest), --server-node-flags "--trace-gc",
// --cpu-prof-dir DIR. The broker process's per-thread CPU over the window is in broker.window.threads.
//
// CPU per message: the broker process's CPU time (process.cpuUsage(): all its threads, the
// verify workers included; the load generator is another process and is not in it) over the
// saturated window, per acknowledged message for bare aedes and per accepted message for
// pinbench. Its floor is what pinbench cannot do without: one P-256 verify as `openssl speed
// ecdsap256` measures it (run before each pair, same machine, same hour) plus the bare broker's
// CPU per acknowledged message of the same pair. ratio = pinbench CPU per accepted / floor.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { readHostLimits } from '../../sim/perf/capacity.ts';
import { writePackages } from './packages.ts';
import { measureVerifyFloor, type VerifyFloor } from './verify-floor.ts';
import type { LoadCommand, LoadReply, Mode, ServerCommand, ServerReply, ThreadCpu } from './protocol.ts';
import { benchArgs, flag, integer, integers, positive, text } from './bench-args.ts';

interface Flags {
  connections: number[];
  durationS: number;
  repeat: number;
  pacedS: number;
  warmupS: number;
  window?: number;
  verifyWorkers?: number;
  concurrency: number;
  /** Also run the embedded broker with a counting ingest (mode `broker`) in each pair. */
  brokerOnly: boolean;
  /** With --broker-only: release the counting ingest's dones at this rate (msg/s), as a verify thread would. */
  brokerRate?: number;
  /** Seconds for each of openssl speed's sign and verify phases (the verify floor). */
  opensslS: number;
  /** Node flags for the broker process (diagnostics: --trace-gc, --perf-basic-prof for `perf record -p`). */
  serverNodeFlags: string[];
  /** Profile the broker process (node --cpu-prof) into this folder. */
  cpuProfDir?: string;
}

function parseFlags(): Flags {
  const { connectConcurrency, serverNodeFlags, ...flags } = benchArgs({
    connections: integers([1000]),
    durationS: positive(10),
    repeat: integer(1),
    pacedS: positive(10),
    warmupS: positive(2),
    window: integer(undefined),
    verifyWorkers: integer(undefined),
    connectConcurrency: integer(500),
    opensslS: integer(3),
    brokerOnly: flag(),
    brokerRate: positive(undefined),
    serverNodeFlags: text(''),
    cpuProfDir: text(undefined),
  });
  return { ...flags, concurrency: connectConcurrency, serverNodeFlags: serverNodeFlags.split(' ').filter((f) => f.length > 0) };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** A forked child speaking the bench protocol: `ask` sends a command and awaits a reply of that kind. */
function child<C, R extends { kind: string }>(file: string, cpuProfDir?: string, nodeFlags: readonly string[] = []) {
  const proc: ChildProcess = fork(new URL(file, import.meta.url), [], {
    execArgv: ['--import', 'tsx', ...nodeFlags, ...(cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProfDir])],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: R[] = [];
  const waiters: Array<{ kind: string; resolve: (r: R) => void; reject: (e: Error) => void }> = [];
  let exited: Error | undefined;
  proc.on('message', (message: R) => {
    const at = waiters.findIndex((w) => w.kind === message.kind);
    if (at >= 0) waiters.splice(at, 1)[0]!.resolve(message);
    else inbox.push(message);
  });
  proc.on('exit', (code) => {
    exited = new Error(`${file} exited with code ${code}`);
    for (const w of waiters.splice(0)) w.reject(exited);
  });
  const wait = <K extends R['kind']>(kind: K): Promise<Extract<R, { kind: K }>> => {
    const at = inbox.findIndex((m) => m.kind === kind);
    if (at >= 0) return Promise.resolve(inbox.splice(at, 1)[0] as Extract<R, { kind: K }>);
    if (exited) return Promise.reject(exited);
    return new Promise((resolve, reject) => waiters.push({ kind, resolve: resolve as (r: R) => void, reject }));
  };
  return {
    proc,
    wait,
    ask<K extends R['kind']>(command: C, kind: K): Promise<Extract<R, { kind: K }>> {
      proc.send(command as object);
      return wait(kind);
    },
    /** Lets the child exit on its own (a CPU profile is written at exit), then kills it. */
    async stop(graceMs = 5000): Promise<void> {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exitedNow = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exitedNow;
      clearTimeout(timer);
    },
  };
}

interface RunResult {
  mode: Mode;
  connections: number;
  connectMs: number;
  connectsPerS: number;
  connectFailed: number;
  rate: number;
  ackedPerS: number;
  exhausted: number;
  memoryPerConnection: { brokerBytes: number; loadBytes: number };
  broker: { window: unknown; peakRssMiB: number; cpu: unknown };
  load: { window: unknown; peakRssMiB: number; cpu: unknown };
  /** CPU over the saturated window, µs per message (see the top of this file). */
  cpuPerMessage: {
    brokerCpuMs: number;
    windowMs: number;
    /** The window on the broker's monotonic clock, µs: slice a --cpu-prof-dir profile with it. */
    windowMonoUs: [number, number];
    acceptedInWindow: number;
    /** The same CPU by thread (Linux /proc, 10 ms ticks), µs per message: the main loop, the busiest other thread (a verify worker in pinbench), the rest (V8's GC helpers, libuv). */
    threadsUs?: { main: number; busiestOther: number; rest: number };
    /** Broker process CPU per message the load got a PUBACK for (by rate: the two windows are the same length). */
    brokerUsPerAcked: number;
    /** Broker process CPU per message the ingest accepted in the window (pinbench). */
    brokerUsPerAccepted?: number;
    /** The load process's own CPU per acknowledged message, for reference only: not in the figures above. */
    loadUsPerAcked: number;
  };
  paced?: { rate: number; sent: number; acceptLatency: unknown; ackLatency: unknown };
  accounting?: { published: number; acked: number; received: number; accepted: number; rejected: Record<string, number>; lost: number };
}

function threadsPerMessage(threads: ThreadCpu[] | undefined, messages: number): { main: number; busiestOther: number; rest: number } | undefined {
  if (threads === undefined || threads.length === 0 || messages <= 0) return undefined;
  const us = (t: ThreadCpu) => (t.userMs + t.systemMs) * 1000;
  const main = threads.filter((t) => t.main).reduce((a, t) => a + us(t), 0);
  const others = threads.filter((t) => !t.main).map(us).sort((a, b) => b - a);
  const rest = others.slice(1).reduce((a, b) => a + b, 0);
  return { main: round(main / messages, 2), busiestOther: round((others[0] ?? 0) / messages, 2), rest: round(rest / messages, 2) };
}

async function runOnce(mode: Mode, flags: Flags, connections: number, packagesFile: string, perDevice: number, t0S: number): Promise<RunResult> {
  const server = child<ServerCommand, ServerReply>('./server.ts', mode === 'pinbench' ? flags.cpuProfDir : undefined, flags.serverNodeFlags);
  const load = child<LoadCommand, LoadReply>('./load.ts');
  try {
    const { port } = await server.ask({ cmd: 'start', mode, connections, perDevice, t0S, verifyWorkers: flags.verifyWorkers, brokerRate: flags.brokerRate }, 'ready');
    await load.wait('ready');
    const before = await server.ask({ cmd: 'mark' }, 'mark');
    const window = flags.window ?? Math.max(1, Math.round(4000 / connections));
    const conn = await load.ask(
      { cmd: 'connect', url: `mqtt://127.0.0.1:${port}`, connections, concurrency: flags.concurrency, packagesFile, recycle: mode !== 'pinbench' },
      'connected',
    );
    const after = await server.ask({ cmd: 'mark' }, 'mark');
    log(`  ${mode}: ${connections - conn.failed}/${connections} connected in ${Math.round(conn.ms)} ms`);
    load.proc.send({ cmd: 'blast', warmupS: flags.warmupS, durationS: flags.durationS, window } satisfies LoadCommand);
    await load.wait('window-start');
    const start = await server.ask({ cmd: 'window-start' }, 'mark');
    await load.wait('window-end');
    const end = await server.ask({ cmd: 'window-end' }, 'mark');
    const blast = await load.wait('blast-done');
    const ackedPerS = blast.ackedInWindow / (blast.windowMs / 1000);
    const acceptedPerS = (end.accepted - start.accepted) / ((end.atMs - start.atMs) / 1000);
    const rate = mode === 'baseline' ? ackedPerS : acceptedPerS;
    const windowMs = end.atMs - start.atMs;
    const brokerCpuUs = end.cpuUs - start.cpuUs;
    const loadCpuUs = (blast.window.cpu.userMs + blast.window.cpu.systemMs) * 1000;
    const cpuPerMessage: RunResult['cpuPerMessage'] = {
      brokerCpuMs: Math.round(brokerCpuUs / 1000),
      windowMs: Math.round(windowMs),
      windowMonoUs: [start.monoUs, end.monoUs],
      acceptedInWindow: end.accepted - start.accepted,
      threadsUs: threadsPerMessage(end.threads, mode === 'baseline' ? ackedPerS * (windowMs / 1000) : end.accepted - start.accepted),
      brokerUsPerAcked: round(brokerCpuUs / (ackedPerS * (windowMs / 1000)), 2),
      brokerUsPerAccepted: mode !== 'baseline' ? round(brokerCpuUs / Math.max(1, end.accepted - start.accepted), 2) : undefined,
      loadUsPerAcked: round(loadCpuUs / Math.max(1, blast.ackedInWindow), 2),
    };
    log(
      `  ${mode}: ${Math.round(rate)} msg/s (${mode === 'baseline' ? 'acknowledged' : 'accepted'}), window ${window}; broker CPU ${
        mode === 'baseline' ? `${cpuPerMessage.brokerUsPerAcked} µs per acknowledged` : `${cpuPerMessage.brokerUsPerAccepted} µs per accepted`
      } message (load ${cpuPerMessage.loadUsPerAcked} µs, not counted)${
        cpuPerMessage.threadsUs === undefined
          ? ''
          : `; by thread: main ${cpuPerMessage.threadsUs.main}, busiest other ${cpuPerMessage.threadsUs.busiestOther}, rest ${cpuPerMessage.threadsUs.rest}`
      }`,
    );
    let paced: RunResult['paced'];
    if (mode === 'pinbench') {
      // The full-speed phase leaves up to `window` messages per client in the ingest: let them through first.
      await server.ask({ cmd: 'drain' }, 'drained');
      const pacedRate = Math.max(1, Math.round(rate / 2));
      const p = await load.ask({ cmd: 'paced', rate: pacedRate, durationS: flags.pacedS }, 'paced-done');
      const drained = await server.ask({ cmd: 'drain' }, 'drained');
      const histogram = hdr.build({ numberOfSignificantValueDigits: 3, highestTrackableValue: 120_000_000 });
      let missing = 0;
      for (let i = 0; i < p.sendTimes.length; i++) {
        const sentAt = p.sendTimes[i]!;
        if (sentAt === 0) continue;
        const acceptedAt = drained.acceptTimes[i]!;
        if (acceptedAt === 0) missing += 1;
        else histogram.recordValue(Math.max(0, Math.round((acceptedAt - sentAt) * 1000)));
      }
      const q = (pct: number) => round(histogram.getValueAtPercentile(pct) / 1000, 2);
      paced = {
        rate: pacedRate,
        sent: p.sent,
        acceptLatency: { count: histogram.totalCount, missing, p50Ms: q(50), p95Ms: q(95), p99Ms: q(99), maxMs: round(histogram.maxValue / 1000, 2) },
        ackLatency: p.ackLatency,
      };
      log(`  paced at ${pacedRate}/s: publish→accept p50 ${q(50)} ms, p95 ${q(95)} ms, p99 ${q(99)} ms`);
    }
    const gone = await load.ask({ cmd: 'disconnect' }, 'disconnected');
    const stopped = await server.ask({ cmd: 'stop' }, 'stopped');
    const rejected = Object.values(stopped.rejected).reduce((a, b) => a + b, 0);
    return {
      mode,
      connections,
      connectMs: Math.round(conn.ms),
      connectsPerS: Math.round((connections - conn.failed) / (conn.ms / 1000)),
      connectFailed: conn.failed,
      rate: Math.round(rate),
      ackedPerS: Math.round(ackedPerS),
      exhausted: blast.exhausted,
      memoryPerConnection: {
        brokerBytes: Math.round((after.rssBytes - before.rssBytes) / connections),
        loadBytes: Math.round((conn.rssAfterBytes - conn.rssBeforeBytes) / connections),
      },
      broker: { window: end.window && { cpu: end.window.cpu, loopLag: end.window.loopLag, threads: end.threads }, peakRssMiB: mib(stopped.perf.peakRssBytes), cpu: stopped.perf.cpu },
      load: { window: { cpu: blast.window.cpu, loopLag: blast.window.loopLag }, peakRssMiB: mib(gone.perf.peakRssBytes), cpu: gone.perf.cpu },
      cpuPerMessage,
      paced,
      accounting:
        mode === 'pinbench'
          ? {
              published: gone.published,
              acked: gone.acked,
              received: stopped.received,
              accepted: stopped.accepted,
              rejected: stopped.rejected,
              // Acknowledged by the broker but neither accepted nor rejected by the ingest.
              lost: gone.acked - stopped.accepted - rejected,
            }
          : undefined,
    };
  } finally {
    await Promise.all([load.stop(), server.stop()]);
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The commit the bench ran on, and which files of the measured code differed from it. */
function gitState(): { commit: string | null; changedFiles: string[] } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--', 'backend', 'protocol', 'test/bench', 'core'], { encoding: 'utf8' });
    return { commit, changedFiles: status.split('\n').filter((line) => line.length > 0).map((line) => line.slice(3)) };
  } catch {
    return { commit: null, changedFiles: [] };
  }
}

const CPU_RATIO_TARGET = 1.15;

/** One pair's CPU figures against its floor (the openssl figure taken just before the pair). */
function cpuOfPair(floor: VerifyFloor, baseline: RunResult, pinbench: RunResult) {
  const bareUs = baseline.cpuPerMessage.brokerUsPerAcked;
  const pinbenchUs = pinbench.cpuPerMessage.brokerUsPerAccepted!;
  if (!floor.ok) return { verifyUs: null, bareBrokerUsPerAcked: bareUs, floorUs: null, pinbenchUsPerAccepted: pinbenchUs, ratio: null };
  const floorUs = floor.verifyUs + bareUs;
  return { verifyUs: round(floor.verifyUs, 2), bareBrokerUsPerAcked: bareUs, floorUs: round(floorUs, 2), pinbenchUsPerAccepted: pinbenchUs, ratio: round(pinbenchUs / floorUs, 3) };
}

async function main(): Promise<void> {
  const flags = parseFlags();
  const git = gitState();
  const limits = readHostLimits();
  const host = { cpus: availableParallelism(), cpuModel: cpus()[0]?.model, memoryMiB: mib(totalmem()), node: process.version, limits };
  const sizes: unknown[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'pinbench-packages-'));
  try {
    for (const connections of flags.connections) {
      // Each process holds one end of every connection (plus a margin for the runtime).
      const needed = connections + 200;
      if (limits.openFiles !== null && limits.openFiles < needed) {
        const message = `${connections} connections need about ${needed} open files per process, the limit is ${limits.openFiles}; run \`ulimit -n ${Math.ceil((needed * 1.2) / 1000) * 1000}\` first`;
        log(message);
        sizes.push({ connections, skipped: message });
        continue;
      }
      // Enough packages for pinbench at up to 20,000 accepted/s through warm-up, window and the paced run.
      const perDevice = Math.ceil((20_000 * (flags.warmupS + flags.durationS + flags.pacedS / 2 + 1)) / connections) + 2;
      const t0S = Math.floor(Date.now() / 1000);
      const packagesFile = join(workDir, `packages-${connections}.bin`);
      const tSign = performance.now();
      writePackages(packagesFile, connections, perDevice, t0S);
      log(`${connections} connections: signed ${connections * perDevice} packages in ${Math.round(performance.now() - tSign)} ms`);
      const runs: RunResult[] = [];
      const floors: VerifyFloor[] = [];
      for (let r = 0; r < flags.repeat; r++) {
        log(`${connections} connections, run ${r + 1}/${flags.repeat}`);
        const floor = measureVerifyFloor(flags.opensslS);
        floors.push(floor);
        log(floor.ok ? `  openssl speed ecdsap256: ${floor.verifyPerS} verify/s, ${round(floor.verifyUs, 2)} µs per verify (one core)` : `  ${floor.reason}`);
        for (const mode of flags.brokerOnly ? (['baseline', 'broker', 'pinbench'] as const) : (['baseline', 'pinbench'] as const)) runs.push(await runOnce(mode, flags, connections, packagesFile, perDevice, t0S));
      }
      const of = (mode: Mode) => runs.filter((run) => run.mode === mode);
      const ratios = of('pinbench').map((run, i) => run.rate / of('baseline')[i]!.rate);
      const p99s = of('pinbench').map((run) => (run.paced?.acceptLatency as { p99Ms: number }).p99Ms);
      const cpuPairs = floors.map((floor, i) => cpuOfPair(floor, of('baseline')[i]!, of('pinbench')[i]!));
      const known = (values: Array<number | null>) => values.filter((v): v is number => v !== null);
      const medianOrNull = (values: Array<number | null>) => (known(values).length === 0 ? null : round(median(known(values)), 3));
      const cpu = {
        note: 'broker process CPU (all threads) over the saturated window; floor = openssl verify + bare aedes per acknowledged message',
        verifyUs: medianOrNull(cpuPairs.map((c) => c.verifyUs)),
        bareBrokerUsPerAcked: medianOrNull(cpuPairs.map((c) => c.bareBrokerUsPerAcked)),
        floorUs: medianOrNull(cpuPairs.map((c) => c.floorUs)),
        pinbenchUsPerAccepted: medianOrNull(cpuPairs.map((c) => c.pinbenchUsPerAccepted)),
        ratio: medianOrNull(cpuPairs.map((c) => c.ratio)),
        opensslMissing: floors.find((f) => !f.ok)?.reason,
        pairs: cpuPairs,
      };
      if (cpu.ratio !== null) {
        log(
          `${connections} connections: CPU per accepted message ${cpu.pinbenchUsPerAccepted} µs against a floor of ${cpu.floorUs} µs (verify ${cpu.verifyUs} + bare broker ${cpu.bareBrokerUsPerAcked}): ${cpu.ratio}× (target ≤ ${CPU_RATIO_TARGET}×), median of ${flags.repeat} on ${git.commit ?? 'unknown commit'}`,
        );
      } else log(`${connections} connections: CPU per accepted message ${cpu.pinbenchUsPerAccepted} µs; no floor: ${cpu.opensslMissing}`);
      sizes.push({
        connections,
        runs: flags.repeat,
        median: {
          baselinePerS: median(of('baseline').map((run) => run.rate)),
          pinbenchPerS: median(of('pinbench').map((run) => run.rate)),
          ...(flags.brokerOnly
            ? {
                brokerOnlyPerS: median(of('broker').map((run) => run.rate)),
                brokerOnlyUsPerMessage: median(of('broker').map((run) => run.cpuPerMessage.brokerUsPerAccepted!)),
              }
            : {}),
          ratio: round(median(ratios), 3),
          connectsPerS: median(runs.map((run) => run.connectsPerS)),
          connectMs: median(runs.map((run) => run.connectMs)),
          pacedP99Ms: median(p99s),
          cpuPerMessage: cpu,
        },
        targets: {
          'ratio >= 0.7': median(ratios) >= 0.7,
          'connect < 10 s': Math.max(...runs.map((run) => run.connectMs)) < 10_000,
          'p99 < 100 ms at half rate': median(p99s) < 100,
          [`CPU per accepted message <= ${CPU_RATIO_TARGET} x floor`]: cpu.ratio === null ? null : cpu.ratio <= CPU_RATIO_TARGET,
        },
        results: runs,
      });
      rmSync(packagesFile, { force: true });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const report = { bench: 'pinbench vs bare aedes', at: new Date().toISOString(), commit: git.commit, changedFiles: git.changedFiles, flags, host, sizes };
  const json = JSON.stringify(report, null, 2);
  mkdirSync('runs', { recursive: true });
  const file = join('runs', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json + '\n');
  process.stdout.write(json + '\n');
  log(`written to ${file}`);
}

main().catch((error: Error) => {
  log(error.message);
  process.exitCode = 1;
});
