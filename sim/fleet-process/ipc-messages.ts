import type { Scenario } from '../../scenarios/index.ts';
import type { BrokerTarget } from '../mqtt/broker-target.ts';
import type { FleetIncidents } from '../fleet/fleet-runtime.ts';
import type { DeviceIntervention } from '../fleet/device-interventions.ts';

/** The run's earliest pending timer: the fleet keeps a slice boundary (a barrier if it is one) there. */
export type NextTimer = { atMs: number; barrier: boolean } | undefined;

/**
 * Messages between the run (parent) and its fleet process (child) over the IPC channel
 * (`serialization: 'advanced'`, so bigint, Uint8Array and Map cross as they are).
 */
export type ParentMessage =
  | {
      type: 'init';
      scenario: Scenario;
      scenarioDir: string;
      /** Simulated start, the same the parent planned with: both sides build identical fleets. */
      startMs: number;
      mode: 'realtime' | 'accelerated';
      flushMs: number;
      maxBatch: number;
    }
  | { type: 'broker'; target: BrokerTarget }
  /** The timeline's device events, before `start`: the fleet process schedules them on its own clock. */
  | { type: 'interventions'; list: DeviceIntervention[] }
  | { type: 'start' }
  /** Accelerated: run simulated time up to `endMs`. */
  | { type: 'advance'; endMs: number; nextTimer: NextTimer }
  | { type: 'time-ok'; nextTimer: NextTimer }
  | { type: 'settled'; nextTimer: NextTimer }
  /** Answers to registration requests: index ≥ 0, or -1 with the reason. */
  | { type: 'registered'; results: Array<[deviceId: string, index: number, reason: string | undefined]> }
  | { type: 'stop' };

/** What the fleet did since the last batch, plus its current counters. */
export interface FleetBatch {
  type: 'batch';
  /** Acknowledged publishes: device id, payloadDigest, wall send time (-1 unknown), wall PUBACK time (the same clock), the reading's timestamp. */
  published: Array<[deviceId: string, digest: Uint8Array, sentMs: number, ackedMs: number, timestampS: number]>;
  /** Devices that reached `registering` and wait for the registry. */
  register: string[];
  publishFailed: Array<[deviceId: string, reason: string]>;
  registrationFailed: Array<[deviceId: string, reason: string]>;
  logs: Array<[level: 'info' | 'warn' | 'debug', message: string]>;
  counters: { published: number; sent: number; online: number; peak: number; states: Array<[string, number]>; connects: number; refused: Array<[string, number]>; incidents: FleetIncidents };
  memory: { rssBytes: number; maxRssBytes: number };
  /** Connects since the last batch: socket open → CONNACK, wall ms. */
  connectMs: number[];
}

export type ChildMessage =
  | { type: 'ready'; size: number }
  | FleetBatch
  /** Accelerated: a slice's timers ran at simulated time up to `nowMs`; its publishes wait for `time-ok`. */
  | { type: 'time'; nowMs: number }
  /** Accelerated: the slice's own I/O settled; `sent` publishes so far. The parent answers `settled`. */
  | { type: 'slice'; nowMs: number; sent: number }
  | { type: 'advanced'; nowMs: number }
  /** A timeline intervention ran: how many devices it changed. */
  | { type: 'intervened'; id: number; affected: number }
  | { type: 'stopped' }
  | { type: 'failed'; message: string; code: string | undefined };
