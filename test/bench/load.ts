// Load side of the benchmark, in its own process (forked by run.ts): mqtt.js clients, one per
// device, publishing pre-signed packages at QoS 1.
import mqtt, { type MqttClient } from 'mqtt';
import * as hdr from 'hdr-histogram-js';
import { startPerfSampler } from '../../sim/perf/sampler.ts';
import { benchDeviceId, benchPassword, readPackages, type PackageSet } from './packages.ts';
import type { LatencySummary, LoadCommand, LoadReply } from './protocol.ts';
import { DEFAULT_TOPICS } from '../../protocol/topics.ts';

const wallNowMs = () => performance.timeOrigin + performance.now();
const send = (reply: LoadReply) => process.send!(reply);

interface Device {
  d: number;
  client: MqttClient;
  topic: string;
  next: number;
  inFlight: number;
}

const whole = startPerfSampler({ intervalMs: 500 });
let devices: Device[] = [];
let packages: PackageSet;
let recycle = false;
let published = 0;
let acked = 0;

function nextPackage(device: Device): Buffer | undefined {
  if (device.next >= packages.perDevice) {
    if (!recycle) return undefined;
    device.next = 0;
  }
  return packages.get(device.d, device.next++);
}

function connectOne(url: string, d: number): Promise<Device | undefined> {
  return new Promise((resolve) => {
    const id = benchDeviceId(d);
    const client = mqtt.connect(url, {
      clientId: id,
      username: id,
      password: benchPassword(d),
      protocolVersion: 4,
      clean: true,
      keepalive: 120,
      reconnectPeriod: 0,
      connectTimeout: 60_000,
    });
    client.once('connect', () => resolve({ d, client, topic: DEFAULT_TOPICS.data(id), next: 0, inFlight: 0 }));
    client.once('error', () => {
      client.end(true);
      resolve(undefined);
    });
  });
}

async function connectAll(command: Extract<LoadCommand, { cmd: 'connect' }>): Promise<LoadReply> {
  packages = readPackages(command.packagesFile);
  recycle = command.recycle;
  const rssBeforeBytes = process.memoryUsage.rss();
  const t0 = performance.now();
  let nextIndex = 0;
  let failed = 0;
  const result: Device[] = [];
  // A bounded number of handshakes at once: a connect storm, without the SYN backlog overflowing.
  const lane = async () => {
    while (nextIndex < command.connections) {
      const device = await connectOne(command.url, nextIndex++);
      if (device === undefined) failed += 1;
      else result.push(device);
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, command.connections) }, lane));
  const ms = performance.now() - t0;
  devices = result.sort((a, b) => a.d - b.d);
  return { kind: 'connected', ms, failed, rssBeforeBytes, rssAfterBytes: process.memoryUsage.rss() };
}

async function blast(command: Extract<LoadCommand, { cmd: 'blast' }>): Promise<LoadReply> {
  let stopping = false;
  let exhausted = 0;
  let settled: () => void = () => undefined;
  let open = 0;
  const pump = (device: Device) => {
    while (!stopping && device.inFlight < command.window) {
      const payload = nextPackage(device);
      if (payload === undefined) {
        exhausted += 1;
        return;
      }
      device.inFlight += 1;
      open += 1;
      published += 1;
      device.client.publish(device.topic, payload, { qos: 1 }, (error) => {
        device.inFlight -= 1;
        open -= 1;
        if (error === undefined || error === null) acked += 1;
        if (stopping) {
          if (open === 0) settled();
        } else pump(device);
      });
    }
  };
  for (const device of devices) pump(device);
  await new Promise((resolve) => setTimeout(resolve, command.warmupS * 1000));
  const sampler = startPerfSampler({ intervalMs: 500 });
  send({ kind: 'window-start' });
  const ackedAtStart = acked;
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, command.durationS * 1000));
  const ackedInWindow = acked - ackedAtStart;
  const windowMs = performance.now() - t0;
  send({ kind: 'window-end' });
  const window = sampler.stop();
  stopping = true;
  if (open > 0) await new Promise<void>((resolve) => (settled = resolve));
  return { kind: 'blast-done', ackedInWindow, windowMs, exhausted, window };
}

function summarize(histogram: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Number((us / 1000).toFixed(2));
  return {
    count: histogram.totalCount,
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p95Ms: ms(histogram.getValueAtPercentile(95)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    maxMs: ms(histogram.maxValue),
  };
}

/** Sends `rate` messages/s spread evenly over the devices (round robin), recording send times. */
async function paced(command: Extract<LoadCommand, { cmd: 'paced' }>): Promise<LoadReply> {
  const histogram = hdr.build({ numberOfSignificantValueDigits: 3, highestTrackableValue: 120_000_000 });
  const sendTimes = new Float64Array(packages.devices * packages.perDevice);
  const sampler = startPerfSampler({ intervalMs: 500 });
  let sent = 0;
  let ackedHere = 0;
  let open = 0;
  let cursor = 0;
  const t0 = performance.now();
  const endMs = command.durationS * 1000;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - t0;
      const due = Math.floor((command.rate * Math.min(elapsed, endMs)) / 1000);
      while (sent < due) {
        const device = devices[cursor++ % devices.length]!;
        const k = device.next;
        const payload = nextPackage(device);
        sent += 1;
        if (payload === undefined) continue;
        const at = wallNowMs();
        sendTimes[device.d * packages.perDevice + k] = at;
        open += 1;
        published += 1;
        device.client.publish(device.topic, payload, { qos: 1 }, (error) => {
          open -= 1;
          if (error === undefined || error === null) {
            acked += 1;
            ackedHere += 1;
            histogram.recordValue(Math.max(0, Math.round((wallNowMs() - at) * 1000)));
          }
        });
      }
      if (elapsed >= endMs) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  while (open > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  return { kind: 'paced-done', sent, acked: ackedHere, sendTimes, ackLatency: summarize(histogram), window: sampler.stop() };
}

async function disconnect(): Promise<LoadReply> {
  await Promise.all(devices.map((device) => device.client.endAsync()));
  return { kind: 'disconnected', perf: whole.stop(), published, acked };
}

process.on('message', (command: LoadCommand) => {
  const work =
    command.cmd === 'connect' ? connectAll(command) : command.cmd === 'blast' ? blast(command) : command.cmd === 'paced' ? paced(command) : disconnect();
  work.then(
    (reply) => {
      send(reply);
      if (reply.kind === 'disconnected') process.disconnect();
    },
    (error: Error) => {
      process.stderr.write(`bench load: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
});
send({ kind: 'ready' });
