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

// Faults: honest devices with something wrong.
export const flakyNetworkSchema = z.strictObject({
  name: z.literal('flaky-network'),
  disconnectsPerHour: z.number().min(0).default(6),
  outageS: range(0).default([5, 60]),
});
export const clockSkewSchema = z.strictObject({
  name: z.literal('clock-skew'),
  /** Constant offset of the device clock, seconds (negative: behind). */
  offsetS: range(-86_400).default([-120, 120]),
  /** Rate error of the clock crystal, parts per million. */
  driftPpm: range(-10_000).default([-50, 50]),
});
export const stuckSensorSchema = z.strictObject({
  name: z.literal('stuck-sensor'),
  fields: z.array(sensorFieldSchema).min(1).default(['temperature', 'humidity']),
  /** When the sensors freeze, seconds after start. */
  afterS: range(0).default([0, 3600]),
});
export const noisySensorSchema = z.strictObject({
  name: z.literal('noisy-sensor'),
  fields: z.array(sensorFieldSchema).min(1).default(['temperature', 'humidity', 'pressure', 'light', 'gasResistance', 'accelerometer', 'gyroscope']),
  /** Extra noise as a multiple of the field's normal measurement noise. */
  factor: z.number().min(0).default(20),
  /** Chance per reading of a wild spike in one field. */
  spikeProbability: probability.default(0.02),
});
export const corruptedPacketsSchema = z.strictObject({
  name: z.literal('corrupted-packets'),
  probability: probability.default(0.1),
  bytesFlipped: range(1).default([1, 3]),
});
export const batteryFailureSchema = z.strictObject({
  name: z.literal('battery-failure'),
  afterS: range(0).default([600, 7200]),
  /** Sudden voltage drop at failure, mV; afterwards it keeps falling at `declineMvPerHour`. */
  dropMv: range(0).default([300, 600]),
  declineMvPerHour: z.number().min(0).default(200),
});

// Adversaries: devices that cheat.
export const gpsSpoofingSchema = z.strictObject({
  name: z.literal('gps-spoofing'),
  teleportsPerHour: z.number().min(0).default(3),
  teleportKm: range(0).default([5, 50]),
  fastEpisodesPerHour: z.number().min(0).default(3),
  fastMps: range(0).default([80, 300]),
  fastS: range(0).default([60, 300]),
});
export const replaySchema = z.strictObject({
  name: z.literal('replay'),
  /** Whose packets: its own old ones, those captured from other devices, or either. */
  source: z.enum(['own', 'others', 'any']).default('any'),
  /** Replayed packets per upload: chance of one. */
  probability: probability.default(0.5),
  /** Only packets at least this old are replayed. */
  minAgeS: z.number().min(0).default(300),
});
export const forgedSignatureSchema = z.strictObject({
  name: z.literal('forged-signature'),
  /** Share of uploads signed with the unregistered key instead of the device's own. */
  probability: probability.default(1),
});
export const sybilSchema = z.strictObject({
  name: z.literal('sybil'),
  /** Clones sharing this device's key, each with its own device id. */
  clones: z.number().int().min(1).default(5),
});
export const emulatorSchema = z.strictObject({ name: z.literal('emulator') });
export const wrongTopicSchema = z.strictObject({
  name: z.literal('wrong-topic'),
  /** Share of uploads sent on another device's topic instead of its own. */
  probability: probability.default(0.5),
});
export const floodingSchema = z.strictObject({
  name: z.literal('flooding'),
  uploadRateFactor: z.number().min(1).default(20),
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
