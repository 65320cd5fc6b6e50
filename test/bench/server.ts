// Broker side of the benchmark, in its own process (forked by run.ts). Mode `baseline`: bare
// aedes, no hooks. Mode `pinbench`: the embedded broker (auth + ACL) feeding the full ingest
// (decode, verify in the pool, validate, store to SQLite in a temp dir). Mode `broker`: the
// embedded broker with an ingest that only counts (what the broker part of pinbench costs).
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { deriveDeviceKey } from '../../devices/index.ts';
import { createVerifier } from '../../protocol/index.ts';
import { startEmbeddedBroker } from '../../backend/broker/embedded-broker.ts';
import { Ingest, type IngestDevice } from '../../backend/ingest/ingest.ts';
import { defaultVerifyWorkers } from '../../backend/ingest/verify-pool.ts';
import { RunStore, type AcceptedReading } from '../../backend/store/run-store.ts';
import { createEpochCalendar } from '../../backend/epochs/calendar.ts';
import { pebbleIngestCodec } from '../../backend/ingest/pebble-codec.ts';
import { startPerfSampler, type PerfSampler } from '../../sim/perf/sampler.ts';
import { BENCH_SEED, benchDeviceId, benchPassword } from './packages.ts';
import type { ServerCommand, ServerReply } from './protocol.ts';

const wallNowMs = () => performance.timeOrigin + performance.now();
const send = (reply: ServerReply) => process.send!(reply);

/** Accept wall time per (device, package) id, to pair with the load's send times. */
let acceptTimes = new Float64Array(0);
let perDevice = 1;
let t0S = 0;

class BenchStore extends RunStore {
  override addReading(reading: AcceptedReading): void {
    acceptTimes[(reading.deviceIndex - 1) * perDevice + (reading.timestampS - t0S)] = reading.receivedMs;
    super.addReading(reading);
  }
}

const whole = startPerfSampler({ intervalMs: 500 });
let windowSampler: PerfSampler | undefined;
let close: () => Promise<void> = async () => undefined;
let counters = () => ({ received: 0, accepted: 0, rejected: {} as Record<string, number>, inFlight: 0 });
let drain = async () => undefined as void;
let connected = () => 0;

async function start(command: Extract<ServerCommand, { cmd: 'start' }>): Promise<number> {
  if (command.mode === 'baseline') {
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    server.maxConnections = Infinity;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    connected = () => broker.connectedClients;
    close = async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
    return (server.address() as AddressInfo).port;
  }
  if (command.mode === 'broker') {
    const credentials = new Map<string, string>();
    for (let d = 0; d < command.connections; d++) credentials.set(benchDeviceId(d), benchPassword(d));
    let handed = 0;
    // With `brokerRate`, the dones are released at that many per second, in arrival order, as a
    // verify thread at that rate would: the broker's cost at pinbench's rate and backlog.
    const held: Array<() => void> = [];
    let heldAt = 0;
    const rate = command.brokerRate;
    if (rate !== undefined) {
      let credit = 0;
      let last = performance.now();
      const release = setInterval(() => {
        const now = performance.now();
        credit = Math.min(credit + ((now - last) * rate) / 1000, rate / 10);
        last = now;
        while (credit >= 1 && heldAt < held.length) {
          credit -= 1;
          handed += 1;
          held[heldAt++]!();
        }
        if (heldAt > 4096 && heldAt * 2 > held.length) {
          held.splice(0, heldAt);
          heldAt = 0;
        }
      }, 1);
      release.unref();
    }
    const broker = await startEmbeddedBroker({
      credentials,
      hooks: {
        onPublish: () => undefined,
        onPublishWithDone: (_clientId, _topic, _payload, done) => {
          if (rate !== undefined) {
            held.push(done);
            return;
          }
          handed += 1;
          done();
        },
        onDenied: () => undefined,
        onAuthFailed: (clientId, reason) => process.stderr.write(`auth failed ${clientId}: ${reason}\n`),
      },
    });
    counters = () => ({ received: handed, accepted: handed, rejected: {}, inFlight: 0 });
    connected = () => broker.connectedClients();
    close = () => broker.close();
    return broker.port;
  }
  perDevice = command.perDevice;
  t0S = command.t0S;
  acceptTimes = new Float64Array(command.connections * perDevice);
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-bench-'));
  const store = new BenchStore(join(dir, 'run.db'));
  const devices = new Map<string, IngestDevice>();
  const credentials = new Map<string, string>();
  const rows = [];
  for (let d = 0; d < command.connections; d++) {
    const key = deriveDeviceKey(BENCH_SEED, d);
    const id = benchDeviceId(d);
    const verifier = createVerifier(key.publicKey, 'p256');
    devices.set(id, { index: d + 1, verify: verifier.verify, publicKey: key.publicKey, curve: 'p256' });
    credentials.set(id, benchPassword(d));
    rows.push({ deviceIndex: d + 1, deviceId: id, name: id, motion: 'bench', owner: '0x0', publicKey: key.publicKey });
  }
  store.addDevices(rows);
  const ingest = new Ingest({
    store,
    codec: pebbleIngestCodec,
    devices,
    calendar: createEpochCalendar(t0S, perDevice + 1, 1),
    // Timestamps run ahead of the wall clock (one per package), so the skew window is wide.
    maxClockSkewS: perDevice + 3600,
    simNowMs: wallNowMs,
    wallNowMs,
    verifyWorkers: command.verifyWorkers ?? defaultVerifyWorkers(),
  });
  const broker = await startEmbeddedBroker({
    credentials,
    hooks: {
      onPublish: (clientId, topic, payload) => ingest.handlePublish(clientId, topic, payload),
      onPublishWithDone: (clientId, topic, payload, done) => ingest.handlePublish(clientId, topic, payload, done),
      onDenied: (clientId, topic, payload, reason) => ingest.reject(clientId, topic, payload, reason, `client ${clientId}`),
      onAuthFailed: (clientId, reason) => process.stderr.write(`auth failed ${clientId}: ${reason}\n`),
    },
  });
  counters = () => ({ ...ingest.counters, rejected: { ...ingest.counters.rejected }, inFlight: ingest.inFlight() });
  drain = () => ingest.drain();
  connected = () => broker.connectedClients();
  close = async () => {
    await broker.close();
    await ingest.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return broker.port;
}

/** CPU ticks (user, system; 1/100 s) of each thread of this process, from /proc (Linux only). */
function threadTicks(): Map<number, [number, number]> {
  const ticks = new Map<number, [number, number]>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(tid), [Number(fields[11]), Number(fields[12])]);
    }
  } catch {
    // not Linux
  }
  return ticks;
}
let windowTicks = new Map<number, [number, number]>();

/** Per-thread CPU over the window, ms, busiest first: the main thread is the process id; V8's GC helpers and the verify workers are the others. */
function threadsSince(before: Map<number, [number, number]>): Array<{ tid: number; main: boolean; userMs: number; systemMs: number }> {
  const rows = [];
  for (const [tid, [user, system]] of threadTicks()) {
    const [u0, s0] = before.get(tid) ?? [0, 0];
    if (user - u0 + (system - s0) > 0) rows.push({ tid, main: tid === process.pid, userMs: (user - u0) * 10, systemMs: (system - s0) * 10 });
  }
  return rows.sort((a, b) => b.userMs + b.systemMs - (a.userMs + a.systemMs));
}

function mark(): Extract<ServerReply, { kind: 'mark' }> {
  // process.cpuUsage() is getrusage(RUSAGE_SELF): every thread of this process (the verify
  // workers too), and nothing of the load process or of run.ts.
  const cpu = process.cpuUsage();
  return { kind: 'mark', atMs: wallNowMs(), rssBytes: process.memoryUsage.rss(), cpuUs: cpu.user + cpu.system, monoUs: Number(process.hrtime.bigint() / 1000n), connected: connected(), ...counters() };
}

process.on('message', (command: ServerCommand) => {
  void (async () => {
    switch (command.cmd) {
      case 'start':
        send({ kind: 'ready', port: await start(command) });
        return;
      case 'mark':
        send(mark());
        return;
      case 'window-start':
        windowSampler = startPerfSampler({ intervalMs: 500 });
        windowTicks = threadTicks();
        send(mark());
        return;
      case 'window-end': {
        const m = mark();
        send({ ...m, window: windowSampler?.stop(), threads: threadsSince(windowTicks) });
        return;
      }
      case 'drain':
        await drain();
        send({ kind: 'drained', acceptTimes, ...counters() });
        return;
      case 'stop': {
        await drain();
        const final = counters();
        await close();
        send({ kind: 'stopped', perf: whole.stop(), ...final });
        process.disconnect();
        return;
      }
    }
  })().catch((error: Error) => {
    process.stderr.write(`bench server: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
});
