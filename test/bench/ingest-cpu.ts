// `npx tsx test/bench/ingest-cpu.ts [--messages N] [--devices N] [--turn N] [--window N] [--repeat N]`: the
// ingest alone, without broker or sockets, fed pre-signed packages `--turn` at a time per turn of
// the event loop (as the broker's hand-over does), CPU µs per accepted message of this process
// (all threads). Variants: `stub` (signature check answered true inline: decode, checks, digest,
// store), `inline` (Node's crypto.verify on the main loop), `pool` (the verify worker pool), and
// `verify` (crypto.verify alone in a loop, the cost the pool cannot avoid). pool − verify is
// what handing a message to a thread and back costs; stub is the rest of the ingest;
// `.main`, `.worker`, `.rest`: the main thread's share, the verify thread's, the others' (GC helpers).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveDeviceKey } from '../../devices/index.ts';
import { createVerifier, decodeBinPackage } from '../../protocol/index.ts';
import { Ingest, type IngestDevice } from '../../backend/ingest/ingest.ts';
import { pebbleIngestCodec } from '../../backend/ingest/pebble-codec.ts';
import { RunStore } from '../../backend/store/run-store.ts';
import { createEpochCalendar } from '../../backend/epochs/calendar.ts';
import { DEFAULT_TOPICS } from '../../protocol/topics.ts';
import { BENCH_SEED, benchDeviceId, readPackages, writePackages } from './packages.ts';
import { benchArgs, choices, integer } from './bench-args.ts';

const { devices: devicesN, messages, turn, window, repeat, only } = benchArgs({
  devices: integer(1000),
  messages: integer(40_000),
  turn: integer(200),
  window: integer(4000),
  repeat: integer(3),
  only: choices(['stub', 'inline', 'pool', 'verify'], undefined),
});
const perDevice = Math.ceil(messages / devicesN);

const dir = mkdtempSync(join(tmpdir(), 'pinbench-ingest-cpu-'));
const t0S = Math.floor(Date.now() / 1000);
const file = join(dir, 'packages.bin');
writePackages(file, devicesN, perDevice, t0S);
const packages = readPackages(file);
// Arrival order as under load: round robin over the devices.
const order: Array<{ id: string; topic: string; payload: Buffer }> = [];
for (let k = 0; k < perDevice; k++) {
  for (let d = 0; d < devicesN; d++) {
    const id = benchDeviceId(d);
    order.push({ id, topic: DEFAULT_TOPICS.data(id), payload: Buffer.from(packages.get(d, k)) });
  }
}
const keys = Array.from({ length: devicesN }, (_, d) => deriveDeviceKey(BENCH_SEED, d).publicKey);

const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
/** CPU time per thread, µs (Linux /proc, 10 ms ticks): tid → µs. */
const threadUs = (): Map<number, number> => {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10_000);
    }
  } catch {
    // not Linux
  }
  return out;
};
interface Split {
  total: number;
  main: number;
  /** The busiest other thread: the verify worker in `pool`. */
  worker: number;
  /** The rest: V8's GC helper threads and libuv's. */
  rest: number;
}
function split(totalUs: number, before: Map<number, number>, messages: number): Split {
  const deltas: Array<[number, number]> = [];
  for (const [tid, us] of threadUs()) deltas.push([tid, us - (before.get(tid) ?? 0)]);
  const main = deltas.find(([tid]) => tid === process.pid)?.[1] ?? 0;
  const others = deltas.filter(([tid]) => tid !== process.pid).map(([, us]) => us).sort((a, b) => b - a);
  const worker = others[0] ?? 0;
  const rest = others.slice(1).reduce((a, b) => a + b, 0);
  return { total: totalUs / messages, main: main / messages, worker: worker / messages, rest: rest / messages };
}

async function runIngest(variant: 'stub' | 'inline' | 'pool', run: number): Promise<Split> {
  const store = new RunStore(join(dir, `run-${variant}-${run}.db`));
  const devices = new Map<string, IngestDevice>();
  for (let d = 0; d < devicesN; d++) {
    const verifier = createVerifier(keys[d]!, 'p256');
    devices.set(benchDeviceId(d), {
      index: d + 1,
      verify: variant === 'stub' ? () => true : verifier.verify,
      ...(variant === 'pool' ? { publicKey: keys[d], curve: 'p256' as const } : {}),
    });
  }
  store.addDevices(Array.from({ length: devicesN }, (_, d) => ({ deviceIndex: d + 1, deviceId: benchDeviceId(d), owner: '0x0', publicKey: keys[d]! })));
  const now = () => performance.timeOrigin + performance.now();
  const ingest = new Ingest({
    store,
    codec: pebbleIngestCodec,
    devices,
    calendar: createEpochCalendar(t0S, perDevice + 1, 1),
    maxClockSkewS: perDevice + 3600,
    simNowMs: now,
    wallNowMs: now,
    verifyWorkers: variant === 'pool' ? 1 : 0,
  });
  // Warm up the code paths on the first device round, then measure the rest.
  const warm = devicesN;
  const c0 = { at: 0, threads: new Map<number, number>() };
  let next = 0;
  let doneCount = 0;
  // At most `window` messages between arrival and done, as the broker's backpressure holds it
  // (1,000 clients × 4 in flight in the ingest bench); new ones arrive `turn` per event-loop turn.
  await new Promise<void>((resolve) => {
    let scheduled = false;
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(step);
    };
    const onDone = () => {
      doneCount += 1;
      if (doneCount === order.length) resolve();
      else if (next < order.length) schedule();
    };
    function step() {
      scheduled = false;
      if (next === warm) {
        c0.at = cpuUs();
        c0.threads = threadUs();
      }
      const end = Math.min(order.length, next + turn, doneCount + window, next < warm ? warm : Infinity);
      for (; next < end; next++) {
        const m = order[next]!;
        // A fresh copy, as a socket read gives: young in the heap, like the broker's payloads.
        ingest.handlePublish(m.id, m.topic, Buffer.from(m.payload), onDone);
      }
      if (next < order.length && next - doneCount < window) schedule();
    }
    step();
  });
  await ingest.drain();
  store.flush();
  const used = split(cpuUs() - c0.at, c0.threads, order.length - warm);
  if (ingest.counters.accepted !== order.length) throw new Error(`${variant}: accepted ${ingest.counters.accepted} of ${order.length}: ${JSON.stringify(ingest.counters)}`);
  if (doneCount !== order.length) throw new Error(`${variant}: done ${doneCount} of ${order.length}`);
  await ingest.close();
  store.close();
  return used;
}

function runVerify(): number {
  const verifiers = keys.map((key) => createVerifier(key, 'p256'));
  const pkgs = order.map((m) => decodeBinPackage(m.payload));
  for (let i = 0; i < devicesN; i++) verifiers[i % devicesN]!.verify(pkgs[i]!.type, pkgs[i]!.data, pkgs[i]!.timestamp, pkgs[i]!.signature);
  const c0 = cpuUs();
  const n = Math.min(order.length, 20_000);
  for (let i = 0; i < n; i++) {
    const p = pkgs[i]!;
    if (!verifiers[i % devicesN]!.verify(p.type, p.data, p.timestamp, p.signature)) throw new Error('bad signature');
  }
  return (cpuUs() - c0) / n;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const results: Record<string, number[]> = {};
const add = (name: string, value: number) => (results[name] ??= []).push(value);
for (let r = 0; r < repeat; r++) {
  for (const variant of ['stub', 'inline', 'pool'] as const) {
    if (only !== undefined && !only.includes(variant)) continue;
    const used = await runIngest(variant, r);
    add(variant, used.total);
    add(`${variant}.main`, used.main);
    if (variant === 'pool') add(`${variant}.worker`, used.worker);
    add(`${variant}.rest`, used.rest);
  }
  if (only === undefined || only.includes('verify')) add('verify', runVerify());
}
const summary = Object.fromEntries(Object.entries(results).filter(([, v]) => v.length > 0).map(([k, v]) => [k, { medianUs: Number(median(v).toFixed(2)), runs: v.map((x) => Number(x.toFixed(2))) }]));
process.stdout.write(JSON.stringify({ messages: order.length, devices: devicesN, turn, summary }, null, 2) + '\n');
rmSync(dir, { recursive: true, force: true });
