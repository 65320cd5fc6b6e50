import type { z, ZodError, ZodType } from 'zod';
import { PinbenchError } from '../core/errors.ts';
import type { Random } from '../core/ports.ts';
import type { PacketArchive } from './behaviours/archive.ts';
import type { PlannedPublish, TrackerBehaviour } from './behaviours/hook.ts';
import { forgedSignature, replay, wrongTopic } from './behaviours/message-adversaries.ts';
import { gpsSpoofing, noiseFreeMotion } from './behaviours/motion-adversaries.ts';
import { clockSkew, corruptedPackets, flakyNetwork } from './behaviours/network-faults.ts';
import {
  ADVERSARY_SCHEMAS,
  FAULT_SCHEMAS,
  type AdversaryConfig,
  type AdversaryInput,
  type FaultConfig,
  type FaultInput,
} from './behaviours/schemas.ts';
import { batteryFailure, drawBatteryFailure, noisySensor, stuckSensor } from './behaviours/sensor-faults.ts';
import type { MotionModel } from './motion/model.ts';
import type { MotionProfileName } from './motion/motion-profiles.ts';
import { createStreetGridMotion } from './motion/street-grid.ts';
import { forkRandom } from './random.ts';
import { createSensorModel, type SensorModel } from './sensors/sensors.ts';
import type { DeviceSpec } from './spec.ts';

/** The catalogue of names a scenario may use. */
export const MOTION_NAMES = ['stationary', 'walk', 'bike', 'car'] as const satisfies readonly MotionProfileName[];
export const FAULT_NAMES = ['flaky-network', 'clock-skew', 'stuck-sensor', 'noisy-sensor', 'corrupted-packets', 'battery-failure'] as const;
export const ADVERSARY_NAMES = ['gps-spoofing', 'replay', 'forged-signature', 'sybil', 'emulator', 'wrong-topic', 'flooding'] as const;
export type MotionName = (typeof MOTION_NAMES)[number];
export type FaultName = (typeof FAULT_NAMES)[number];
export type AdversaryName = (typeof ADVERSARY_NAMES)[number];

const KINDS = {
  motion: { names: MOTION_NAMES as readonly string[], plural: 'motions' },
  fault: { names: FAULT_NAMES as readonly string[], plural: 'faults' },
  adversary: { names: ADVERSARY_NAMES as readonly string[], plural: 'adversaries' },
} as const;
const PROFILE_SCHEMAS: Record<'fault' | 'adversary', Record<string, ZodType>> = { fault: FAULT_SCHEMAS, adversary: ADVERSARY_SCHEMAS };

const unknownNameMessage = (kind: keyof typeof KINDS, name: unknown): string =>
  `unknown ${kind} ${JSON.stringify(name)}; valid ${KINDS[kind].plural}: ${KINDS[kind].names.join(', ')}`;

function unknownName(kind: keyof typeof KINDS, name: unknown, option: string): PinbenchError {
  return new PinbenchError('PROFILE_INVALID', `option \`${option}\`: ${unknownNameMessage(kind, name)}`, {
    details: { option, value: name, valid: KINDS[kind].names },
  });
}

export function parseMotionName(name: unknown, option = 'motion'): MotionName {
  if (typeof name === 'string' && (MOTION_NAMES as readonly string[]).includes(name)) return name as MotionName;
  throw unknownName('motion', name, option);
}

/**
 * A fault or adversary input read by its profile's schema: its config with defaults filled
 * in, or the message for an unknown name, or the schema's error with each issue's message
 * saying which profile it is about (`… (fault flaky-network)`).
 */
export type ProfileReading<T> =
  | { readonly ok: true; readonly config: T }
  | { readonly ok: false; readonly name: unknown; readonly unknownName: string }
  | { readonly ok: false; readonly name: string; readonly error: ZodError; readonly issues: readonly z.core.$ZodIssue[] };

/**
 * Reads a fault or adversary given as a name (`flaky-network`) or with parameters
 * (`{ name: flaky-network, disconnectsPerHour: 12 }`). The one reader of these inputs: devices
 * throw from it (`parseFault`, `parseAdversary`), the scenario schema reports from it.
 */
export function readProfile<T>(kind: 'fault' | 'adversary', input: unknown, params?: z.core.ParseContext<z.core.$ZodIssue>): ProfileReading<T> {
  const schemas = PROFILE_SCHEMAS[kind];
  const name = typeof input === 'string' ? input : (input as { name?: unknown } | null)?.name;
  const schema = typeof name === 'string' && Object.hasOwn(schemas, name) ? schemas[name] : undefined;
  if (typeof name !== 'string' || schema === undefined) return { ok: false, name, unknownName: unknownNameMessage(kind, name) };
  const parsed = schema.safeParse(typeof input === 'string' ? { name } : input, params);
  if (parsed.success) return { ok: true, config: parsed.data as T };
  const issues = parsed.error.issues.map((issue) => ({ ...issue, message: `${issue.message} (${kind} ${name})` }));
  return { ok: false, name, error: parsed.error, issues };
}

function parseProfile<T>(kind: 'fault' | 'adversary', input: unknown, option: string): T {
  const read = readProfile<T>(kind, input);
  if (read.ok) return read.config;
  if ('unknownName' in read) throw unknownName(kind, read.name, option);
  const issue = read.issues[0]!;
  const path = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
  throw new PinbenchError('PROFILE_INVALID', `option \`${option}${path}\`: ${issue.message}; see the defaults in devices/behaviours/schemas.ts`, {
    details: { option, value: input, issues: read.error.issues },
    cause: read.error,
  });
}

/** A fault by name or with parameters, defaults filled in; unknown names throw PROFILE_INVALID. */
export const parseFault = (input: FaultName | FaultInput, option = 'faults'): FaultConfig => parseProfile<FaultConfig>('fault', input, option);
export const parseAdversary = (input: AdversaryName | AdversaryInput, option = 'adversary'): AdversaryConfig =>
  parseProfile<AdversaryConfig>('adversary', input, option);

export interface BehaviourOptions {
  readonly faults?: readonly (FaultName | FaultInput)[];
  readonly adversary?: AdversaryName | AdversaryInput;
  readonly spec: DeviceSpec;
  /** This device's stream for behaviours (not the tracker's own: forks are taken from it). */
  readonly random: Random;
  /** Shared by all replayers of the fleet. */
  readonly archive?: PacketArchive;
  /** Device ids a wrong-topic adversary may impersonate. */
  readonly fleet?: readonly { readonly id: string }[];
  /** Simulated start of the device, for time-based effects; default 0. */
  readonly startMs?: number;
}

/** What to pass the tracker: `behaviour` as its hook, `motion`/`sensors` as overrides, each only if needed. */
export interface DeviceBehaviour {
  readonly behaviour?: TrackerBehaviour;
  readonly motion?: MotionModel;
  readonly sensors?: SensorModel;
}

/**
 * Composes a device's faults and adversary. Message hooks run in order (the adversary's first,
 * then the faults', as a bad modem garbles whatever the device sends), each on every message the
 * previous produced; rate factors multiply; clock
 * offsets add; the first outage wins. Sybil clones are made at fleet level (makeSybilClones);
 * here the sybil device itself behaves honestly.
 */
export function createBehaviour(options: BehaviourOptions): DeviceBehaviour {
  const faults = (options.faults ?? []).map((f, k) => parseFault(f, `faults[${k}]`));
  const adversary = options.adversary === undefined ? undefined : parseAdversary(options.adversary);
  const { spec } = options;
  const startMs = options.startMs ?? 0;
  // Fixed fork order: a device's behaviour depends on its seed only.
  const motionRandom = forkRandom(options.random);
  const sensorRandom = forkRandom(options.random);
  const hooks: TrackerBehaviour[] = [];
  const adversaryHooks: TrackerBehaviour[] = [];
  const motionWraps: Array<(m: MotionModel) => MotionModel> = [];
  const sensorWraps: Array<(s: SensorModel) => SensorModel> = [];
  let emulator = false;

  for (const fault of faults) {
    const r = forkRandom(options.random);
    switch (fault.name) {
      case 'flaky-network': hooks.push(flakyNetwork(fault)); break;
      case 'clock-skew': hooks.push(clockSkew(fault, r)); break;
      case 'corrupted-packets': hooks.push(corruptedPackets(fault)); break;
      case 'stuck-sensor': sensorWraps.push((s) => stuckSensor(s, fault, r, startMs)); break;
      case 'noisy-sensor': sensorWraps.push((s) => noisySensor(s, fault, r)); break;
      case 'battery-failure': {
        const failure = drawBatteryFailure(fault, r, startMs);
        sensorWraps.push((s) => batteryFailure(s, failure));
        hooks.push({ batteryFailure: failure });
        break;
      }
    }
  }
  if (adversary) {
    const r = forkRandom(options.random);
    switch (adversary.name) {
      case 'gps-spoofing': motionWraps.push((m) => gpsSpoofing(m, adversary, r, startMs)); break;
      case 'replay': {
        if (!options.archive) throw new PinbenchError('PROFILE_INVALID', 'adversary replay needs the fleet\'s shared PacketArchive; pass `archive`', { details: { deviceId: spec.id } });
        adversaryHooks.push(replay(adversary, options.archive));
        break;
      }
      case 'forged-signature': adversaryHooks.push(forgedSignature(adversary, r, spec.curve)); break;
      case 'wrong-topic': adversaryHooks.push(wrongTopic(adversary, spec.id, options.fleet ?? [], r)); break;
      case 'flooding': adversaryHooks.push({ uploadRateFactor: adversary.uploadRateFactor }); break;
      case 'emulator': emulator = true; motionWraps.push(noiseFreeMotion); break;
      case 'sybil': break;
    }
  }

  const result: { behaviour?: TrackerBehaviour; motion?: MotionModel; sensors?: SensorModel } = {};
  if (hooks.length + adversaryHooks.length > 0) result.behaviour = composeBehaviours([...adversaryHooks, ...hooks]);
  if (motionWraps.length > 0) {
    const base = createStreetGridMotion({ area: spec.area, profile: spec.motion, start: spec.start, startMs, random: motionRandom, ...(emulator ? { gpsNoiseM: 0 } : {}) });
    result.motion = motionWraps.reduce((m, wrap) => wrap(m), base);
  }
  if (sensorWraps.length > 0 || emulator) {
    const base = createSensorModel(sensorRandom, startMs, emulator ? { noiseScale: 0 } : {});
    result.sensors = sensorWraps.reduce((s, wrap) => wrap(s), base);
  }
  return result;
}

export function composeBehaviours(parts: readonly TrackerBehaviour[]): TrackerBehaviour {
  if (parts.length === 1) return parts[0]!;
  const uploads = parts.filter((p) => p.onUpload);
  const clocks = parts.filter((p) => p.clockOffsetMs);
  const outages = parts.filter((p) => p.outageMs);
  const factor = parts.reduce((f, p) => f * (p.uploadRateFactor ?? 1), 1);
  const out: { -readonly [K in keyof TrackerBehaviour]: TrackerBehaviour[K] } = {};
  if (uploads.length > 0) {
    out.onUpload = (honest, ctx) => {
      let planned: readonly PlannedPublish[] = [{ topic: honest.topic, payload: honest.payload, timestampS: honest.timestampS }];
      for (const part of uploads) planned = planned.flatMap((p) => part.onUpload!({ ...p, reading: honest.reading }, ctx));
      return planned;
    };
  }
  if (factor !== 1) out.uploadRateFactor = factor;
  const failure = parts.find((p) => p.batteryFailure)?.batteryFailure;
  if (failure !== undefined) out.batteryFailure = failure;
  if (clocks.length > 0) out.clockOffsetMs = (nowMs) => clocks.reduce((sum, p) => sum + p.clockOffsetMs!(nowMs), 0);
  if (outages.length > 0) {
    out.outageMs = (nowMs, random) => {
      for (const p of outages) {
        const ms = p.outageMs!(nowMs, random);
        if (ms !== undefined) return ms;
      }
      return undefined;
    };
  }
  return out;
}
