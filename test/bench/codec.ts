// Codec benchmark, JSON on stdout: encode and decode of BinPackage + SensorData as the tracker
// and the ingest run them. The tracker writes SensorData into a reused writer and encodes the
// BinPackage around it (signing left out: it is the same for every codec); the ingest decodes
// the BinPackage from a Buffer, then its SensorData. Contenders: today's codec, the codec of a
// baseline commit (extracted with `git archive` into a temporary folder, so it runs beside
// today's in the same process) and protobufjs (reflection: the encoder and decoder it generates
// at run time are the code a static module would print). Rounds interleave the contenders; each
// result is a median over rounds, and each ratio the median of per-round ratios against the
// baseline (today / baseline > 1 is slower).
// Usage: npx tsx test/bench/codec.ts [--rounds 101] [--baseline <commit>]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import protobuf from 'protobufjs';
import { buildFleet, createMotion, createSensorModel, seededRandom } from '../../devices/index.ts';
import * as today from '../../protocol/codec/bin-package.ts';
import * as todayData from '../../protocol/codec/sensor-data.ts';
import { ProtoWriter } from '../../protocol/codec/writer.ts';
import type { SensorData } from '../../protocol/index.ts';
import { benchArgs, integer, text } from './bench-args.ts';

const args = benchArgs({
  /**
   * Default: 3a501ad, the hand-written codec that is today's again. `--baseline f63e078` measures
   * against the field-table codec (protocol/codec/message.ts at that commit) that was tried and not
   * kept: its medians were better, but the ingest bench showed p99 tails it did not have (README).
   */
  baseline: text('3a501addc9bd61a90e506908e19d02ed2554e477'),
  rounds: integer(101),
});
const BASELINE_COMMIT = args.baseline;
const rounds = args.rounds;
const WARMUP_ROUNDS = 3;
const DEVICES = 100;
const READINGS_PER_DEVICE = 20;
/**
 * Operations per timed sample: ~5–15 ms of work, long against the timer's resolution and short
 * against the load swings of a shared machine, so the samples a ratio compares ran under the same load.
 */
const OPS_PER_SAMPLE = 5_000;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The Pebble Tracker v2 schema as docs/architecture.md ("Wire format") states it; test/protocol/codec.test.ts cross-checks it.
const PEBBLE_PROTO = `
syntax = "proto2";
message SensorData {
  optional uint32 snr = 1; optional uint32 vbat = 2; optional sint32 latitude = 3; optional sint32 longitude = 4;
  optional uint32 gasResistance = 5; optional sint32 temperature = 6; optional uint32 pressure = 7;
  optional uint32 humidity = 8; optional uint32 light = 9; optional uint32 temperature2 = 10;
  repeated sint32 gyroscope = 11; repeated sint32 accelerometer = 12; optional string random = 13;
}
message BinPackage {
  enum PackageType { DATA = 0; CONFIG = 1; STATE = 2; }
  required PackageType type = 1; required bytes data = 2; required uint32 timestamp = 3; required bytes signature = 4;
}`;

interface Reading {
  readonly data: SensorData;
  readonly timestampS: number;
}

/** One codec as the two sides use it; `decode` returns a value read from the result, so no work can be skipped. */
interface Contender {
  readonly name: string;
  encode(reading: Reading): Uint8Array;
  decode(payload: Buffer): number;
  /** The decoded package and sensor data, for the agreement check before timing. */
  decoded(payload: Buffer): unknown;
}

type BinPackageModule = typeof today;
type SensorDataModule = typeof todayData;
type WriterClass = typeof ProtoWriter;

const SIGNATURE = new Uint8Array(64).fill(0xa5);

function ourCodec(name: string, bin: BinPackageModule, sensor: SensorDataModule, Writer: WriterClass): Contender {
  const dataWriter = new Writer(128);
  return {
    name,
    encode({ data, timestampS }) {
      sensor.writeSensorData(dataWriter.reset(), data);
      return bin.encodeBinPackage({ type: bin.PackageType.DATA, data: dataWriter.view(), timestamp: timestampS, signature: SIGNATURE });
    },
    decode(payload) {
      const pkg = bin.decodeBinPackage(payload);
      return pkg.timestamp + (sensor.decodeSensorData(pkg.data).latitude ?? 0);
    },
    decoded(payload) {
      const pkg = bin.decodeBinPackage(payload);
      return { pkg, data: sensor.decodeSensorData(pkg.data) };
    },
  };
}

function protobufjsCodec(): Contender {
  const root = protobuf.parse(PEBBLE_PROTO).root;
  const PbSensorData = root.lookupType('SensorData');
  const PbBinPackage = root.lookupType('BinPackage');
  type PbPackage = { type: number; data: Uint8Array; timestamp: number; signature: Uint8Array };
  const plain = (message: protobuf.Message, type: protobuf.Type) => type.toObject(message, { arrays: true });
  return {
    name: 'protobufjs',
    encode({ data, timestampS }) {
      const dataBytes = PbSensorData.encode(data).finish();
      return PbBinPackage.encode({ type: 0, data: dataBytes, timestamp: timestampS, signature: SIGNATURE }).finish();
    },
    decode(payload) {
      const pkg = PbBinPackage.decode(payload) as unknown as PbPackage;
      return pkg.timestamp + ((PbSensorData.decode(pkg.data) as unknown as SensorData).latitude ?? 0);
    },
    decoded(payload) {
      const pkg = PbBinPackage.decode(payload);
      return { pkg: plain(pkg, PbBinPackage), data: plain(PbSensorData.decode((pkg as unknown as PbPackage).data), PbSensorData) };
    },
  };
}

/** The baseline commit's protocol/codec and core, loaded from a temporary folder (removed on exit). */
async function baselineCodec(): Promise<Contender> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pinbench-codec-baseline-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  // package.json and tsconfig.json too: without them tsx compiles the copy as CommonJS, with other
  // class-field semantics, and the same code measured up to 30 % apart from the copy in the repo.
  const archive = execFileSync('git', ['archive', '--format=tar', BASELINE_COMMIT, 'protocol/codec', 'core', 'package.json', 'tsconfig.json'], {
    cwd: repoRoot,
    maxBuffer: 64 << 20,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const load = (file: string) => import(pathToFileURL(path.join(dir, 'protocol/codec', file)).href);
  const [bin, sensor, writer] = await Promise.all([load('bin-package.ts'), load('sensor-data.ts'), load('writer.ts')]);
  return ourCodec(`baseline ${BASELINE_COMMIT.slice(0, 7)}`, bin as BinPackageModule, sensor as SensorDataModule, (writer as { ProtoWriter: WriterClass }).ProtoWriter);
}

/** Readings as a fleet produces them: each device's own motion and sensor models, every 30 s. */
function fleetReadings(): Reading[] {
  const t0Ms = Date.UTC(2025, 2, 1, 8);
  const out: Reading[] = [];
  for (const device of buildFleet({ seed: 'codec-bench', count: DEVICES, uploadPeriodS: 30 })) {
    const random = seededRandom('codec-bench', 'device', device.index);
    const motion = createMotion({ area: device.area, profile: device.motion, start: device.start, startMs: t0Ms, random });
    const sensors = createSensorModel(random, t0Ms);
    for (let k = 0; k < READINGS_PER_DEVICE; k++) {
      const tMs = t0Ms + k * 30_000;
      out.push({ data: sensors.sample(tMs, motion.sample(tMs)), timestampS: Math.floor(tMs / 1000) });
    }
  }
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[mid]!;
}

let sink = 0;

function timeEncode(c: Contender, readings: readonly Reading[]): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS_PER_SAMPLE; i++) sink += c.encode(readings[i % readings.length]!).length;
  return Number(process.hrtime.bigint() - started) / OPS_PER_SAMPLE;
}

function timeDecode(c: Contender, payloads: readonly Buffer[]): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS_PER_SAMPLE; i++) sink += c.decode(payloads[i % payloads.length]!);
  return Number(process.hrtime.bigint() - started) / OPS_PER_SAMPLE;
}

const readings = fleetReadings();
const baseline = await baselineCodec();
const contenders = [baseline, ourCodec('today', today, todayData, ProtoWriter), protobufjsCodec()];
const payloads = readings.map((r) => Buffer.from(baseline.encode(r)));

// Every contender must do the same work: the same bytes out, the same values back.
for (const c of contenders) {
  for (const [i, r] of readings.entries()) {
    if (!Buffer.from(c.encode(r)).equals(payloads[i]!)) throw new Error(`${c.name} encodes reading ${i} differently from the baseline`);
  }
}
/** JSON with bytes as hex and keys sorted, so a Buffer and a Uint8Array, or two key orders, compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString('hex');
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
    return v;
  });
}
const reference = payloads.map((p) => canonical(baseline.decoded(p)));
for (const c of contenders) {
  for (const [i, p] of payloads.entries()) {
    if (canonical(c.decoded(p)) !== reference[i]) throw new Error(`${c.name} decodes package ${i} differently from the baseline`);
  }
}

const samples = new Map(contenders.map((c) => [c.name, { encodeNs: [] as number[], decodeNs: [] as number[] }]));
const ratios = new Map(contenders.map((c) => [c.name, { encode: [] as number[], decode: [] as number[] }]));
for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
  // Rotate the order so no contender always runs first (or right after a collection).
  const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
  const encodeNs = new Map<string, number>();
  const decodeNs = new Map<string, number>();
  for (const c of order) encodeNs.set(c.name, timeEncode(c, readings));
  for (const c of order) decodeNs.set(c.name, timeDecode(c, payloads));
  if (round < WARMUP_ROUNDS) continue;
  for (const c of contenders) {
    samples.get(c.name)!.encodeNs.push(encodeNs.get(c.name)!);
    samples.get(c.name)!.decodeNs.push(decodeNs.get(c.name)!);
    ratios.get(c.name)!.encode.push(encodeNs.get(c.name)! / encodeNs.get(baseline.name)!);
    ratios.get(c.name)!.decode.push(decodeNs.get(c.name)! / decodeNs.get(baseline.name)!);
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const results = contenders.map((c) => {
  const s = samples.get(c.name)!;
  const r = ratios.get(c.name)!;
  const spread = (values: number[]) => [round3(Math.min(...values)), round3(Math.max(...values))];
  return {
    codec: c.name,
    encodeNsMedian: round2(median(s.encodeNs)),
    decodeNsMedian: round2(median(s.decodeNs)),
    encodePerS: Math.round(1e9 / median(s.encodeNs)),
    decodePerS: Math.round(1e9 / median(s.decodeNs)),
    encodeRatio: round3(median(r.encode)),
    decodeRatio: round3(median(r.decode)),
    encodeRatioRange: spread(r.encode),
    decodeRatioRange: spread(r.decode),
  };
});

process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'codec',
      baseline: BASELINE_COMMIT,
      node: process.version,
      rounds,
      opsPerSample: OPS_PER_SAMPLE,
      readings: readings.length,
      payloadBytesMedian: median(payloads.map((p) => p.length)),
      results,
      sink: sink % 1000,
    },
    null,
    2,
  )}\n`,
);
