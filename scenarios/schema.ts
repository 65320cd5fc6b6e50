import { z } from 'zod';
import { adversaryEntrySchema, areaSchema, DOCUMENTED_ENTRY_INPUTS, faultEntrySchema } from './device-schemas.ts';
import { MOTION_NAMES } from '../devices/behaviour-profiles.ts';
import { DEFAULT_SHAPE } from '../core/reward-rule.ts';
import { isPinbenchError } from '../core/errors.ts';
import { DEFAULT_TOPIC_TEMPLATES, TOPIC_KINDS, topicLayout } from '../protocol/topics.ts';
import { IMEI_PATTERN } from '../protocol/client-ids.ts';
import { DEFAULT_PAYLOAD_CODEC, PAYLOAD_CODECS } from '../protocol/codec/payload-codecs.ts';
import { policyBlockSchema, policyIssues, resolvePolicy } from './policy-schema.ts';
import { thresholdsSchema } from './thresholds-schema.ts';
import { timelineIssues, timelineSchema } from './timeline-schema.ts';

/**
 * The scenario file's schema. Sections are kept apart (README.md, "Scenario files"): what the fleet
 * is (`fleet`), how the run is cut in time (`epochs`), how work is paid (`reward`) and shared (`policy`), how the
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

/** The description editors show and docs/scenarios.md prints (the JSON Schema's `description`). */
const doc = (description: string) => ({ description });

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
  profile: z.enum(['pebble'], { error: 'expected one of: pebble' }).default('pebble').meta(doc('The device model the group simulates: a Pebble GPS tracker (its firmware\'s topics, payloads and registration).')),
  count: positiveInt(100_000).meta(doc('How many devices the group has.')),
  motion: z.enum(MOTION_PROFILES, { error: `expected one of: ${MOTION_PROFILES.join(', ')}` }).default('car').meta(doc('How the devices move: their speed and pauses on the street grid of the area.')),
  uploadPeriodS: positiveNumber(86_400).default(2).meta(doc('Seconds between a device\'s uploads (simulated time).')),
  /** Overrides the scenario's area for this group. */
  area: areaSchema.optional().meta(doc('Where this group\'s devices move, instead of the scenario\'s `area`: a city preset or a bounding box.')),
  /** A GeoJSON LineString or GPX file (relative to the scenario file) the group's devices follow. */
  route: z.string({ error: 'expected the path of a GeoJSON or GPX route file' }).optional().meta(doc('A GeoJSON LineString or GPX file (relative to the scenario file) the group\'s devices follow instead of the street grid.')),
  /** GPS fix losses: the reading then carries no position. */
  dropouts: z
    .strictObject({
      perHour: z.number().min(0).default(2).meta(doc('Fix losses per device per hour, on average.')),
      durationS: z.tuple([z.number().min(0), z.number().min(0)]).default([10, 120]).meta(doc('How long a fix loss lasts, seconds: [min, max], drawn uniformly.')),
    })
    .optional()
    .meta(doc('GPS fix losses: while one lasts, readings carry no position.')),
  faults: z.array(faultEntrySchema, { error: 'expected a list of faults' }).prefault([]).meta(doc('Faults of the group\'s devices: honest devices with something wrong (a flaky network, a skewed clock, a stuck sensor, …).')),
  adversary: adversaryEntrySchema.optional().meta(doc('How the group\'s devices cheat, if they do: the run\'s checks expect the backend to catch it.')),
  /**
   * How the group's devices get on the registry: `confirm` (default) — the backend proposes the
   * owner on `backend/<id>/status` and registers the device with its signed ConfirmPackage, as
   * Pebble's devReg does; `registrar` — the operator registers it before it connects.
   */
  registration: z
    .enum(REGISTRATION_MODES, { error: `expected one of: ${REGISTRATION_MODES.join(', ')}` })
    .default('confirm')
    .meta(doc('How the devices get on the registry: `confirm`, the firmware\'s exchange (the backend proposes the owner, the device signs a ConfirmPackage); `registrar`, the operator registers them before they connect.')),
}).meta(doc('A group of simulated devices alike in model, motion, upload period, faults and adversary.'));

/**
 * A capture played back as devices, beside ordinary groups (sim/replay/): `replay` is a capture.db
 * written by `pinbench run --record` (relative to the scenario file), `devices` picks some of its
 * devices by id. They publish its recorded readings, signed as they were, at their recorded times.
 */
export const replayEntrySchema = z.strictObject({
  replay: z
    .string({ error: 'expected the path of a capture (capture.db) written by `pinbench run --record`' })
    .min(1, { error: 'expected the path of a capture (capture.db) written by `pinbench run --record`' })
    .meta(doc('A capture (capture.db) written by `pinbench run --record`, relative to the scenario file, played back as devices.')),
  devices: z
    .array(z.string({ error: 'expected a device id (IMEI) as a string' }), { error: 'expected a list of device ids' })
    .min(1, { error: 'expected at least one device id, or no `devices` to replay them all' })
    .optional()
    .meta(doc('The capture\'s devices to replay, by id (IMEI); all of them when left out.')),
}).meta(doc('Devices played back from a capture, with their recorded readings, signed as they were, at their recorded times.'));

/**
 * A real device that joins the run (README.md, "Real hardware"): its IMEI, the public key its
 * secure element signs with (a PEM file, relative to the scenario, or hex), and its owner.
 */
export const attachedDeviceSchema = z.strictObject({
  id: z.string({ error: 'expected the device IMEI as a string of 15 digits' }).regex(IMEI_PATTERN, { error: 'expected the device IMEI, 15 digits' }).meta(doc('The device\'s IMEI, 15 digits, as a string.')),
  publicKey: z.string({ error: 'expected the path of a PEM public key file (relative to the scenario) or the key in hex' }).meta(doc('The public key the device\'s secure element signs with: a PEM file (relative to the scenario file) or the key in hex.')),
  owner: z.string({ error: 'expected an Ethereum address' }).regex(/^0x[0-9a-fA-F]{40}$/, { error: 'expected an Ethereum address, 0x and 40 hex digits' }).meta(doc('The Ethereum address that owns the device and claims its rewards.')),
  curve: z.enum(['p256', 'secp256k1'], { error: 'expected one of: p256, secp256k1' }).default('p256').meta(doc('The curve of the device\'s key.')),
  uploadPeriodS: positiveNumber(86_400).default(10).meta(doc('Seconds between the device\'s uploads, as its firmware is set up.')),
  /** `registrar` (default): put on chain as the run starts; `confirm`: by the firmware's query → proposal → confirm exchange. */
  registration: z
    .enum(REGISTRATION_MODES, { error: `expected one of: ${REGISTRATION_MODES.join(', ')}` })
    .default('registrar')
    .meta(doc('`registrar`: put on chain as the run starts; `confirm`: by the firmware\'s query → proposal → confirm exchange.')),
}).meta(doc('A real device that joins the run (README.md, "Real hardware").'));

/** What each topic kind carries, for its description (protocol/topics.ts says the same of `TopicTemplates`). */
const TOPIC_DESCRIPTIONS: Record<(typeof TOPIC_KINDS)[number], string> = {
  data: 'Device → backend: signed readings.',
  confirm: 'Device → backend: the ConfirmPackage answering an owner proposal.',
  query: 'Device → backend: "am I registered?", answered on the status topic.',
  status: 'Backend → device: the JSON status (owner proposal, registered, refused, firmware offer).',
  config: 'Backend → device: a SensorConfig.',
};

export const LISTEN_URL_PATTERN = /^(mqtts?|wss?):\/\/\S+$/;
const BROKER_URL_PATTERN = /^(mqtts?|wss?):\/\/[^\s/]+/;

export const scenarioSchema = z.strictObject({
  name: z
    .string({ error: 'expected a name' })
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a name of lower-case letters, digits and dashes' })
    .meta(doc('The scenario\'s name: lower-case letters, digits and dashes. It names the run folder (runs/<time>-<name>/).')),
  description: z.string().optional().meta(doc('What the scenario is for, in a sentence; shown in the report.')),
  seed: z
    .number({ error: 'expected an integer seed' })
    .int({ error: 'expected an integer seed' })
    .min(0)
    .default(1)
    .meta(doc('The seed of everything random: the same scenario and seed give the same fleet, keys, payloads and rewards.')),
  area: areaSchema.default('berlin').meta(doc('Where devices move: a city preset or a bounding box { south, west, north, east } in degrees.')),
  fleet: z
    .array(z.union([fleetGroupSchema, replayEntrySchema]), { error: 'expected a list of fleet groups' })
    .min(1, { error: 'expected at least one fleet group' })
    .meta(doc('What the fleet is: groups of simulated devices, and devices replayed from captures.')),
  epochs: z
    .strictObject({
      lengthS: positiveInt(7 * 86_400).meta(doc('The length of one epoch, seconds of simulated time.')),
      count: positiveInt(10_000).meta(doc('How many epochs the run lasts.')),
    })
    .meta(doc('How the run is cut in time: each epoch\'s readings are summarised, proven and settled on chain.')),
  reward: z
    .strictObject({
      unitsPerSample: positiveInt(UINT32_MAX).default(1000).meta(doc('Work units a device earns per accepted reading.')),
      maxStepE7: positiveInt(UINT32_MAX).default(20_000).meta(doc('The largest step between two readings that still counts, in 1e-7 degree; a longer jump earns nothing.')),
      rewardPerUnitWei: weiAmount.prefault('1000000000000').meta(doc('Wei paid per work unit: a whole number, as a decimal string (it overflows a JS number).')),
    })
    .prefault({})
    .meta(doc('How work is paid: the reward rule the circuit proves and the contract pays by.')),
  policy: policyBlockSchema,
  ingest: z
    .strictObject({
      maxClockSkewS: positiveInt(86_400).default(300).meta(doc('How far a reading\'s timestamp may be from the backend\'s clock, either way, and a confirm\'s ahead of it, seconds, before it is refused.')),
      epochGraceMs: z.number().int().min(0).max(600_000).default(1500).meta(doc('How long after an epoch ends it is closed and summarised, milliseconds: readings still in flight then count.')),
    })
    .prefault({})
    .meta(doc('How the ingest judges messages.')),
  time: z
    .strictObject({
      mode: z
        .enum(['realtime', 'accelerated'], { error: 'expected one of: realtime, accelerated' })
        .default('realtime')
        .meta(doc('`realtime` runs at wall-clock speed; `accelerated` is discrete-event simulated time (real MQTT traffic), deterministic for a seed.')),
      speed: z
        .union([z.literal('max'), positiveNumber(1_000_000)], { error: 'expected "max" or a positive number of simulated seconds per wall second' })
        .default('max')
        .meta(doc('Accelerated time: `max`, or simulated seconds per wall second.')),
      startAt: z.iso
        .datetime({ error: 'expected an ISO 8601 UTC time such as "2026-01-01T00:00:00Z"' })
        .optional()
        .meta(doc('Accelerated time: the simulated start, an ISO 8601 UTC time (2026-01-01T00:00:00Z when left out).')),
      sliceMs: positiveInt(3_600_000).default(5000).meta(doc('Accelerated time: the simulated time the clock advances at a step before it waits for the traffic to settle, milliseconds.')),
    })
    .prefault({})
    .meta(doc('How time runs: at wall-clock speed or accelerated.')),
  // What the embedded broker listens on (`--listen` adds to it); default one mqtt listener on a free loopback port.
  // Or a team's broker the fleet and the backend use instead (`url`, as `--broker`; paths relative to the scenario).
  broker: z
    .strictObject({
      url: z
        .string()
        .regex(BROKER_URL_PATTERN, { error: 'expected a broker URL such as mqtt://127.0.0.1:1883 (mqtt, mqtts, ws or wss; the backend\'s login may be in it: mqtt://user:password@host:port)' })
        .optional()
        .meta(doc('A team\'s own broker the fleet and the backend use instead of the embedded one, as `--broker`: mqtt://, mqtts://, ws:// or wss://, the backend\'s login optional in it.')),
      /** The CA that signed that broker's certificate (mqtts/wss), a PEM file. */
      ca: z.string({ error: 'expected the path of a PEM file' }).optional().meta(doc('The CA that signed that broker\'s certificate (mqtts, wss), a PEM file relative to the scenario file.')),
      /** The folder of the devices' (and the backend's) client certificates, as `pinbench provision --tls` writes in `certs/`. */
      clientCerts: z.string({ error: 'expected the path of a folder' }).optional().meta(doc('The folder of the devices\' (and the backend\'s) client certificates, as `pinbench provision --tls` writes in certs/.')),
      /** The backend's `{ username, password }` file, `backend.json` from `pinbench provision`. */
      credentials: z.string({ error: 'expected the path of a backend.json file' }).optional().meta(doc('The backend\'s { username, password } file: backend.json from `pinbench provision`.')),
      listen: z
        .array(
          z.string().regex(LISTEN_URL_PATTERN, { error: 'expected a listener URL such as mqtts://127.0.0.1:8883 (mqtt, mqtts, ws or wss; port 0 picks a free one)' }),
          { error: 'expected a list of listener URLs' },
        )
        .default([])
        .meta(doc('The embedded broker\'s listeners (`--listen` adds to them): mqtt://, mqtts://, ws:// or wss:// host:port, port 0 for a free one; when empty, one mqtt listener on a free loopback port.')),
    })
    .prefault({})
    .meta(doc('What the embedded broker listens on, or a team\'s own broker used instead.')),
  attached: z
    .array(attachedDeviceSchema, { error: 'expected a list of attached devices' })
    .default([])
    .meta(doc('Real devices that join the run beside the simulated fleet (real time only).')),
  thresholds: thresholdsSchema,
  // The topic layout devices and backend use (docs/topics.md); each kind defaults to the Pebble firmware's.
  topics: z
    .strictObject(
      Object.fromEntries(
        TOPIC_KINDS.map((kind) => [
          kind,
          z
            .string({ error: 'expected a topic template such as "device/{id}/data"' })
            .optional()
            .meta(doc(`${TOPIC_DESCRIPTIONS[kind]} A template with \`{id}\` for the device id; default \`${DEFAULT_TOPIC_TEMPLATES[kind]}\`.`)),
        ]),
      ) as Record<(typeof TOPIC_KINDS)[number], z.ZodOptional<z.ZodString>>,
    )
    .prefault({})
    .meta(doc('The topic layout devices and backend use (docs/topics.md); each kind defaults to the Pebble firmware\'s.')),
  // How readings travel on the data topic (docs/codec-json.md): `pebble-v2`, the firmware's
  // protobuf BinPackage, or `json`, the documented JSON form of the same fields, signed over the
  // same bytes. Devices publish in it and the ingest reads it; confirms and downlinks keep theirs.
  codec: z
    .enum(PAYLOAD_CODECS, { error: `expected one of: ${PAYLOAD_CODECS.join(', ')}` })
    .default(DEFAULT_PAYLOAD_CODEC)
    .meta(doc('How readings travel on the data topic (docs/codec-json.md): `pebble-v2`, the firmware\'s protobuf, or `json`, the same fields as JSON, signed over the same bytes.')),
  // How the fleet powers on. `all`: every device at the start, a connect storm (each still
  // boots for 1–3 s first, as the firmware does); a number: that many devices per second of
  // simulated time, in device order.
  ramp: z
    .strictObject({
      devicesPerS: z
        .union([z.literal('all'), positiveNumber(1_000_000)], { error: 'expected "all" or a positive number of devices per second' })
        .default('all')
        .meta(doc('`all`: every device at the start, a connect storm; a number: that many devices per second of simulated time, in fleet order.')),
    })
    .prefault({})
    .meta(doc('How the fleet powers on.')),
  // The default shape settles for ≤ 15,000 gas per device-epoch but needs powers of tau 2^15
  // (made locally once, about 10–25 minutes); 4 × 8 builds in minutes and suits small fleets.
  circuit: z
    .strictObject({
      batchSize: positiveInt(256)
        .refine((b) => b % 4 === 0, { error: 'expected a multiple of 4 (a batch fills whole accrual words on chain), e.g. 4 or 32' })
        .default(DEFAULT_SHAPE.batchSize)
        .meta(doc('Devices per proof, a multiple of 4. The default settles for ≤ 15,000 gas per device-epoch but needs powers of tau 2^15 (made locally once, 10–25 minutes); 4 builds in minutes.')),
      readingsPerDevice: positiveInt(15).default(DEFAULT_SHAPE.readingsPerDevice).meta(doc('Readings per device in a proof (1 to 15).')),
    })
    .prefault({})
    .meta(doc('The proof shape: B devices × K readings per Groth16 proof.')),
  timeline: timelineSchema,
}).superRefine((scenario, ctx) => {
  // A replay's devices are not known before its capture is opened: the run checks the stakes again with them.
  const plannedDevices = scenario.fleet.reduce((n, group) => n + (isReplayEntry(group) ? 0 : group.count), 0);
  for (const issue of policyIssues(scenario.policy, scenario.reward, { epochs: scenario.epochs.count, readingsPerDevice: scenario.circuit.readingsPerDevice, devices: plannedDevices })) {
    ctx.addIssue({ code: 'custom', path: issue.path, params: { namesInput: true }, message: issue.message });
  }
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
  // `policy` comes out as the whole RewardPolicy (core/reward-policy/), `reward:`'s work parameters in it.
}).transform((scenario) => ({ ...scenario, policy: resolvePolicy(scenario.policy, scenario.reward) }));

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type FleetGroup = z.output<typeof fleetGroupSchema>;
export type ReplayEntry = z.output<typeof replayEntrySchema>;

export function isReplayEntry(entry: FleetGroup | ReplayEntry): entry is ReplayEntry {
  return 'replay' in entry;
}

export const SCENARIO_SCHEMA_TITLE = 'pinbench scenario';
export const SCENARIO_SCHEMA_DESCRIPTION =
  'A pinbench scenario file: the fleet of virtual devices, how the run is cut into epochs, how work is paid, and how ingest, broker, time and the proof circuit are set up. Reference: docs/scenarios.md.';

/**
 * The JSON Schema (draft 2020-12) of what a scenario file may say, for editors (`pinbench schema`)
 * and for docs/scenarios.md. Defaults are the input side's (`io: 'input'`): what a file may leave out.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const documented = DOCUMENTED_ENTRY_INPUTS.get(ctx.zodSchema as unknown as z.ZodType);
      if (documented === undefined) return;
      const { $schema: _dialect, ...shown } = z.toJSONSchema(documented, { io: 'input' }) as Record<string, unknown>;
      const target = ctx.jsonSchema as Record<string, unknown>;
      const description = target.description;
      for (const key of Object.keys(target)) delete target[key];
      Object.assign(target, shown, description === undefined ? {} : { description });
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return { $schema, title: SCENARIO_SCHEMA_TITLE, description: SCENARIO_SCHEMA_DESCRIPTION, ...rest };
}
