import { z } from 'zod';
import { adversaryEntrySchema, areaSchema, faultEntrySchema } from './device-schemas.ts';
import { MOTION_NAMES } from '../devices/behaviour-profiles.ts';
import { DEFAULT_SHAPE } from '../core/reward-rule.ts';
import { isPinbenchError } from '../core/errors.ts';
import { TOPIC_KINDS, topicLayout } from '../protocol/topics.ts';
import { IMEI_PATTERN } from '../protocol/client-ids.ts';
import { DEFAULT_PAYLOAD_CODEC, PAYLOAD_CODECS } from '../protocol/codec/payload-codecs.ts';
import { timelineIssues, timelineSchema } from './timeline-schema.ts';

/**
 * The scenario file's schema. Sections are kept apart (README.md, "Scenario files"): what the fleet
 * is (`fleet`), how the run is cut in time (`epochs`), how work is paid (`reward`), how the
 * ingest judges messages (`ingest`), how the fleet powers on (`ramp`), and the proof shape
 * (`circuit`). The same schema produces the JSON Schema for editors (`scenarioJsonSchema`).
 */

const positiveInt = (max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: 'expected a positive integer' })
    .int({ error: 'expected a positive integer' })
    .min(1, { error: 'expected a positive integer' })
    .max(max, { error: `expected a positive integer of at most ${max}` });

const positiveNumber = (max: number) =>
  z
    .number({ error: 'expected a positive number' })
    .gt(0, { error: 'expected a positive number' })
    .max(max, { error: `expected a positive number of at most ${max}` });

const UINT32_MAX = 0xffff_ffff;

/** Wei amounts are decimal strings (or safe integers) because they overflow a JS number. */
const weiAmount = z
  .union([z.string(), z.number(), z.bigint()], { error: 'expected a whole number of wei, as a decimal string' })
  .refine((value) => /^[0-9]+$/.test(String(value)) && (typeof value !== 'number' || Number.isSafeInteger(value)), {
    error: 'expected a whole number of wei, as a decimal string such as "1000000000000"',
  })
  .transform((value) => BigInt(value));

/** The motion names devices/ knows, as the scenario schema lists them. */
export const MOTION_PROFILES = MOTION_NAMES;
export const REGISTRATION_MODES = ['confirm', 'registrar'] as const;

export const fleetGroupSchema = z.strictObject({
  profile: z.enum(['pebble'], { error: 'expected one of: pebble' }).default('pebble'),
  count: positiveInt(100_000),
  motion: z.enum(MOTION_PROFILES, { error: `expected one of: ${MOTION_PROFILES.join(', ')}` }).default('car'),
  uploadPeriodS: positiveNumber(86_400).default(2),
  /** Overrides the scenario's area for this group. */
  area: areaSchema.optional(),
  /** A GeoJSON LineString or GPX file (relative to the scenario file) the group's devices follow. */
  route: z.string({ error: 'expected the path of a GeoJSON or GPX route file' }).optional(),
  /** GPS fix losses: the reading then carries no position. */
  dropouts: z
    .strictObject({
      perHour: z.number().min(0).default(2),
      durationS: z.tuple([z.number().min(0), z.number().min(0)]).default([10, 120]),
    })
    .optional(),
  faults: z.array(faultEntrySchema, { error: 'expected a list of faults' }).default([]),
  adversary: adversaryEntrySchema.optional(),
  /**
   * How the group's devices get on the registry: `confirm` (default) — the backend proposes the
   * owner on `backend/<id>/status` and registers the device with its signed ConfirmPackage, as
   * Pebble's devReg does; `registrar` — the operator registers it before it connects.
   */
  registration: z.enum(REGISTRATION_MODES, { error: `expected one of: ${REGISTRATION_MODES.join(', ')}` }).default('confirm'),
});

/**
 * A capture played back as devices, beside ordinary groups (sim/replay/): `replay` is a capture.db
 * written by `pinbench run --record` (relative to the scenario file), `devices` picks some of its
 * devices by id. They publish its recorded readings, signed as they were, at their recorded times.
 */
export const replayEntrySchema = z.strictObject({
  replay: z.string({ error: 'expected the path of a capture (capture.db) written by `pinbench run --record`' }).min(1, {
    error: 'expected the path of a capture (capture.db) written by `pinbench run --record`',
  }),
  devices: z
    .array(z.string({ error: 'expected a device id (IMEI) as a string' }), { error: 'expected a list of device ids' })
    .min(1, { error: 'expected at least one device id, or no `devices` to replay them all' })
    .optional(),
});

/**
 * A real device that joins the run (README.md, "Real hardware"): its IMEI, the public key its
 * secure element signs with (a PEM file, relative to the scenario, or hex), and its owner.
 */
export const attachedDeviceSchema = z.strictObject({
  id: z.string({ error: 'expected the device IMEI as a string of 15 digits' }).regex(IMEI_PATTERN, { error: 'expected the device IMEI, 15 digits' }),
  publicKey: z.string({ error: 'expected the path of a PEM public key file (relative to the scenario) or the key in hex' }),
  owner: z.string({ error: 'expected an Ethereum address' }).regex(/^0x[0-9a-fA-F]{40}$/, { error: 'expected an Ethereum address, 0x and 40 hex digits' }),
  curve: z.enum(['p256', 'secp256k1'], { error: 'expected one of: p256, secp256k1' }).default('p256'),
  uploadPeriodS: positiveNumber(86_400).default(10),
  /** `registrar` (default): put on chain as the run starts; `confirm`: by the firmware's query → proposal → confirm exchange. */
  registration: z.enum(REGISTRATION_MODES, { error: `expected one of: ${REGISTRATION_MODES.join(', ')}` }).default('registrar'),
});

export const LISTEN_URL_PATTERN = /^(mqtts?|wss?):\/\/\S+$/;
const BROKER_URL_PATTERN = /^(mqtts?|wss?):\/\/[^\s/]+/;

export const scenarioSchema = z.strictObject({
  name: z.string({ error: 'expected a name' }).regex(/^[a-z0-9][a-z0-9-]*$/, {
    error: 'expected a name of lower-case letters, digits and dashes',
  }),
  description: z.string().optional(),
  seed: z.number({ error: 'expected an integer seed' }).int({ error: 'expected an integer seed' }).min(0).default(1),
  area: areaSchema.default('berlin'),
  fleet: z.array(z.union([fleetGroupSchema, replayEntrySchema]), { error: 'expected a list of fleet groups' }).min(1, {
    error: 'expected at least one fleet group',
  }),
  epochs: z.strictObject({
    lengthS: positiveInt(7 * 86_400),
    count: positiveInt(10_000),
  }),
  reward: z
    .strictObject({
      unitsPerSample: positiveInt(UINT32_MAX).default(1000),
      maxStepE7: positiveInt(UINT32_MAX).default(20_000),
      rewardPerUnitWei: weiAmount.default(1_000_000_000_000n),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      maxClockSkewS: positiveInt(86_400).default(300),
      epochGraceMs: z.number().int().min(0).max(600_000).default(1500),
    })
    .prefault({}),
  time: z
    .strictObject({
      mode: z.enum(['realtime', 'accelerated'], { error: 'expected one of: realtime, accelerated' }).default('realtime'),
      speed: z
        .union([z.literal('max'), positiveNumber(1_000_000)], { error: 'expected "max" or a positive number of simulated seconds per wall second' })
        .default('max'),
      startAt: z.iso
        .datetime({ error: 'expected an ISO 8601 UTC time such as "2026-01-01T00:00:00Z"' })
        .optional(),
      sliceMs: positiveInt(3_600_000).default(5000),
    })
    .prefault({}),
  // What the embedded broker listens on (`--listen` adds to it); default one mqtt listener on a free loopback port.
  // Or a team's broker the fleet and the backend use instead (`url`, as `--broker`; paths relative to the scenario).
  broker: z
    .strictObject({
      url: z.string().regex(BROKER_URL_PATTERN, { error: 'expected a broker URL such as mqtt://127.0.0.1:1883 (mqtt, mqtts, ws or wss; the backend\'s login may be in it: mqtt://user:password@host:port)' }).optional(),
      /** The CA that signed that broker's certificate (mqtts/wss), a PEM file. */
      ca: z.string({ error: 'expected the path of a PEM file' }).optional(),
      /** The folder of the devices' (and the backend's) client certificates, as `pinbench provision --tls` writes in `certs/`. */
      clientCerts: z.string({ error: 'expected the path of a folder' }).optional(),
      /** The backend's `{ username, password }` file, `backend.json` from `pinbench provision`. */
      credentials: z.string({ error: 'expected the path of a backend.json file' }).optional(),
      listen: z
        .array(
          z.string().regex(LISTEN_URL_PATTERN, { error: 'expected a listener URL such as mqtts://127.0.0.1:8883 (mqtt, mqtts, ws or wss; port 0 picks a free one)' }),
          { error: 'expected a list of listener URLs' },
        )
        .default([]),
    })
    .prefault({}),
  attached: z.array(attachedDeviceSchema, { error: 'expected a list of attached devices' }).default([]),
  // The topic layout devices and backend use (docs/topics.md); each kind defaults to the Pebble firmware's.
  topics: z
    .strictObject(Object.fromEntries(TOPIC_KINDS.map((kind) => [kind, z.string({ error: 'expected a topic template such as "device/{id}/data"' }).optional()])) as Record<
      (typeof TOPIC_KINDS)[number],
      z.ZodOptional<z.ZodString>
    >)
    .prefault({}),
  // How readings travel on the data topic (docs/codec-json.md): `pebble-v2`, the firmware's
  // protobuf BinPackage, or `json`, the documented JSON form of the same fields, signed over the
  // same bytes. Devices publish in it and the ingest reads it; confirms and downlinks keep theirs.
  codec: z.enum(PAYLOAD_CODECS, { error: `expected one of: ${PAYLOAD_CODECS.join(', ')}` }).default(DEFAULT_PAYLOAD_CODEC),
  // How the fleet powers on. `all`: every device at the start, a connect storm (each still
  // boots for 1–3 s first, as the firmware does); a number: that many devices per second of
  // simulated time, in device order.
  ramp: z
    .strictObject({
      devicesPerS: z
        .union([z.literal('all'), positiveNumber(1_000_000)], { error: 'expected "all" or a positive number of devices per second' })
        .default('all'),
    })
    .prefault({}),
  // The default shape settles for ≤ 15,000 gas per device-epoch but needs powers of tau 2^15
  // (made locally once, about 10–25 minutes); 4 × 8 builds in minutes and suits small fleets.
  circuit: z
    .strictObject({
      batchSize: positiveInt(256)
        .refine((b) => b % 4 === 0, { error: 'expected a multiple of 4 (a batch fills whole accrual words on chain), e.g. 4 or 32' })
        .default(DEFAULT_SHAPE.batchSize),
      readingsPerDevice: positiveInt(15).default(DEFAULT_SHAPE.readingsPerDevice),
    })
    .prefault({}),
  timeline: timelineSchema,
}).superRefine((scenario, ctx) => {
  for (const issue of timelineIssues(scenario.timeline, { runS: scenario.epochs.lengthS * scenario.epochs.count, externalBroker: scenario.broker.url !== undefined })) {
    ctx.addIssue({ code: 'custom', path: issue.path, params: { namesInput: true }, message: issue.message });
  }
  try {
    topicLayout(scenario.topics);
  } catch (error) {
    if (!isPinbenchError(error)) throw error;
    const kind = String(error.details.kind);
    ctx.addIssue({ code: 'custom', path: ['topics', kind], params: { namesInput: true }, message: error.message.replace(/^topics\.[a-z]+: /, '') });
  }
  if (scenario.attached.length > 0 && scenario.time.mode !== 'realtime') {
    ctx.addIssue({
      code: 'custom',
      path: ['attached'],
      params: { namesInput: true },
      message: 'attached devices run in real time only: a real board keeps wall-clock time and cannot follow an accelerated clock; set time.mode: realtime or remove attached',
    });
  }
  if (scenario.broker.url !== undefined && scenario.broker.listen.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['broker', 'listen'], params: { namesInput: true }, message: "listeners are the embedded broker's, and broker.url replaces it with your own broker: give one or the other" });
  }
  if (scenario.broker.url !== undefined && scenario.attached.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['attached'], params: { namesInput: true }, message: 'attached devices join the embedded broker, which broker.url replaces: attach real devices in a run on the embedded broker, or provision them on your broker like the fleet' });
  }
  const ids = new Set<string>();
  for (const [i, device] of scenario.attached.entries()) {
    if (ids.has(device.id)) ctx.addIssue({ code: 'custom', path: ['attached', i, 'id'], params: { namesInput: true }, message: `device ${device.id} is listed twice` });
    ids.add(device.id);
  }
  // A ramp that outlasts the run would leave devices off that the scenario counts on.
  const { devicesPerS } = scenario.ramp;
  if (devicesPerS === 'all') return;
  const devices = scenario.fleet.reduce((n, group) => n + (isReplayEntry(group) ? 0 : group.count), 0);
  const rampS = (devices - 1) / devicesPerS;
  const runS = scenario.epochs.lengthS * scenario.epochs.count;
  if (rampS >= runS) {
    ctx.addIssue({
      code: 'custom',
      path: ['ramp', 'devicesPerS'],
      params: { namesInput: true },
      message: `${devicesPerS} devices per second powers ${devices} devices on over ${Math.ceil(rampS)} s, not within the run's ${runS} s; raise devicesPerS or lengthen the epochs`,
    });
  }
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type FleetGroup = z.output<typeof fleetGroupSchema>;
export type ReplayEntry = z.output<typeof replayEntrySchema>;

export function isReplayEntry(entry: FleetGroup | ReplayEntry): entry is ReplayEntry {
  return 'replay' in entry;
}

export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
