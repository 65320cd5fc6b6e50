import { z } from 'zod';

/** A number, or a [min, max] range drawn from uniformly per device. */
const range = (min: number) =>
  z.union([
    z.number().min(min),
    z.tuple([z.number().min(min), z.number().min(min)]).refine(([lo, hi]) => lo <= hi, { message: 'range [min, max] needs min ≤ max' }),
  ]);
export type Range = number | readonly [number, number];

const SENSOR_FIELDS = ['snr', 'vbat', 'gasResistance', 'temperature', 'pressure', 'humidity', 'light', 'temperature2', 'gyroscope', 'accelerometer'] as const;
export const sensorFieldSchema = z.enum(SENSOR_FIELDS);
export type SensorField = z.infer<typeof sensorFieldSchema>;
const probability = z.number().min(0).max(1);

/** The description editors show and docs/scenarios.md prints; behaviour and messages are the schema's. */
const doc = (description: string) => ({ description });

// Faults: honest devices with something wrong.
export const flakyNetworkSchema = z.strictObject({
  name: z.literal('flaky-network').meta(doc('flaky-network: the device loses its network connection now and then, and reconnects.')),
  disconnectsPerHour: z.number().min(0).default(6).meta(doc('Disconnects per hour, on average.')),
  outageS: range(0).default([5, 60]).meta(doc('How long an outage lasts, seconds: a number or a [min, max] range.')),
});
export const clockSkewSchema = z.strictObject({
  name: z.literal('clock-skew').meta(doc('clock-skew: the device\'s clock is off and drifts, so its timestamps are.')),
  /** Constant offset of the device clock, seconds (negative: behind). */
  offsetS: range(-86_400).default([-120, 120]).meta(doc('Constant offset of the device clock, seconds (negative: behind); a number or a [min, max] range drawn per device.')),
  /** Rate error of the clock crystal, parts per million. */
  driftPpm: range(-10_000).default([-50, 50]).meta(doc('Rate error of the clock crystal, parts per million; a number or a [min, max] range.')),
});
export const stuckSensorSchema = z.strictObject({
  name: z.literal('stuck-sensor').meta(doc('stuck-sensor: some sensors freeze and report the same value from then on.')),
  fields: z.array(sensorFieldSchema).min(1).default(['temperature', 'humidity']).meta(doc('The reading fields that freeze.')),
  /** When the sensors freeze, seconds after start. */
  afterS: range(0).default([0, 3600]).meta(doc('When the sensors freeze, seconds after start; a number or a [min, max] range.')),
});
export const noisySensorSchema = z.strictObject({
  name: z.literal('noisy-sensor').meta(doc('noisy-sensor: some sensors read with far more noise than normal, and spike.')),
  fields: z
    .array(sensorFieldSchema)
    .min(1)
    .default(['temperature', 'humidity', 'pressure', 'light', 'gasResistance', 'accelerometer', 'gyroscope'])
    .meta(doc('The reading fields that are noisy.')),
  /** Extra noise as a multiple of the field's normal measurement noise. */
  factor: z.number().min(0).default(20).meta(doc('Extra noise as a multiple of the field\'s normal measurement noise.')),
  /** Chance per reading of a wild spike in one field. */
  spikeProbability: probability.default(0.02).meta(doc('Chance per reading of a wild spike in one field, 0 to 1.')),
});
export const corruptedPacketsSchema = z.strictObject({
  name: z.literal('corrupted-packets').meta(doc('corrupted-packets: some uploads arrive with flipped bytes (their signature then fails).')),
  probability: probability.default(0.1).meta(doc('Share of uploads corrupted, 0 to 1.')),
  bytesFlipped: range(1).default([1, 3]).meta(doc('Bytes flipped in a corrupted upload; a number or a [min, max] range.')),
});
export const batteryFailureSchema = z.strictObject({
  name: z.literal('battery-failure').meta(doc('battery-failure: the battery fails, so the device goes to sleeping and dead early.')),
  afterS: range(0).default([600, 7200]).meta(doc('When the battery fails, seconds after start; a number or a [min, max] range.')),
  /** Sudden voltage drop at failure, mV; afterwards it keeps falling at `declineMvPerHour`. */
  dropMv: range(0).default([300, 600]).meta(doc('Sudden voltage drop at failure, mV; afterwards it keeps falling at declineMvPerHour.')),
  declineMvPerHour: z.number().min(0).default(200).meta(doc('How fast the voltage falls after the failure, mV per hour.')),
});

// Adversaries: devices that cheat.
export const gpsSpoofingSchema = z.strictObject({
  name: z.literal('gps-spoofing').meta(doc('gps-spoofing: the device reports positions it was not at: teleports and impossibly fast runs.')),
  teleportsPerHour: z.number().min(0).default(3).meta(doc('Sudden jumps to a faked position per hour, on average.')),
  teleportKm: range(0).default([5, 50]).meta(doc('How far a jump goes, km; a number or a [min, max] range.')),
  fastEpisodesPerHour: z.number().min(0).default(3).meta(doc('Episodes of impossibly fast motion per hour, on average.')),
  fastMps: range(0).default([80, 300]).meta(doc('The speed of such an episode, metres per second; a number or a [min, max] range.')),
  fastS: range(0).default([60, 300]).meta(doc('How long such an episode lasts, seconds; a number or a [min, max] range.')),
});
export const replaySchema = z.strictObject({
  name: z.literal('replay').meta(doc('replay: the device sends old signed packets again.')),
  /** Whose packets: its own old ones, those captured from other devices, or either. */
  source: z.enum(['own', 'others', 'any']).default('any').meta(doc('Whose packets: its own old ones, those captured from other devices, or either.')),
  /** Replayed packets per upload: chance of one. */
  probability: probability.default(0.5).meta(doc('Chance per upload of replaying a packet, 0 to 1.')),
  /** Only packets at least this old are replayed. */
  minAgeS: z.number().min(0).default(300).meta(doc('Only packets at least this old are replayed, seconds.')),
});
export const forgedSignatureSchema = z.strictObject({
  name: z.literal('forged-signature').meta(doc('forged-signature: the device signs with a key that is not registered.')),
  /** Share of uploads signed with the unregistered key instead of the device's own. */
  probability: probability.default(1).meta(doc('Share of uploads signed with the unregistered key instead of the device\'s own, 0 to 1.')),
});
export const sybilSchema = z.strictObject({
  name: z.literal('sybil').meta(doc('sybil: one device\'s key behind several device ids.')),
  /** Clones sharing this device's key, each with its own device id. */
  clones: z.number().int().min(1).default(5).meta(doc('Clones sharing this device\'s key, each with its own device id.')),
});
export const emulatorSchema = z.strictObject({
  name: z.literal('emulator').meta(doc('emulator: software posing as a device: its GPS gives the exact position, never noisy, never lost, as no real receiver does.')),
});
export const wrongTopicSchema = z.strictObject({
  name: z.literal('wrong-topic').meta(doc('wrong-topic: the device publishes on another device\'s topic.')),
  /** Share of uploads sent on another device's topic instead of its own. */
  probability: probability.default(0.5).meta(doc('Share of uploads sent on another device\'s topic instead of its own, 0 to 1.')),
});
export const floodingSchema = z.strictObject({
  name: z.literal('flooding').meta(doc('flooding: the device uploads far more often than it should.')),
  uploadRateFactor: z.number().min(1).default(20).meta(doc('How many times its normal upload rate the device publishes at.')),
});

export const FAULT_SCHEMAS = {
  'flaky-network': flakyNetworkSchema,
  'clock-skew': clockSkewSchema,
  'stuck-sensor': stuckSensorSchema,
  'noisy-sensor': noisySensorSchema,
  'corrupted-packets': corruptedPacketsSchema,
  'battery-failure': batteryFailureSchema,
} as const;

export const ADVERSARY_SCHEMAS = {
  'gps-spoofing': gpsSpoofingSchema,
  replay: replaySchema,
  'forged-signature': forgedSignatureSchema,
  sybil: sybilSchema,
  emulator: emulatorSchema,
  'wrong-topic': wrongTopicSchema,
  flooding: floodingSchema,
} as const;

/** A fault in a scenario: its parameters with defaults filled in. */
export const faultConfigSchema = z.discriminatedUnion('name', [
  flakyNetworkSchema,
  clockSkewSchema,
  stuckSensorSchema,
  noisySensorSchema,
  corruptedPacketsSchema,
  batteryFailureSchema,
]);
export const adversaryConfigSchema = z.discriminatedUnion('name', [
  gpsSpoofingSchema,
  replaySchema,
  forgedSignatureSchema,
  sybilSchema,
  emulatorSchema,
  wrongTopicSchema,
  floodingSchema,
]);
export type FaultConfig = z.output<typeof faultConfigSchema>;
export type AdversaryConfig = z.output<typeof adversaryConfigSchema>;
export type FaultInput = z.input<typeof faultConfigSchema>;
export type AdversaryInput = z.input<typeof adversaryConfigSchema>;
