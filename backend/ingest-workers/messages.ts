import type { ExternalBrokerLogin } from '../broker/broker-client.ts';
import type { TopicTemplates } from '../../protocol/topics.ts';
import type { PayloadCodecName } from '../../protocol/codec/payload-codecs.ts';
import type { CurveName } from '../../protocol/curves.ts';

/** Run → ingest worker, over the IPC channel (`serialization: 'advanced'`: Uint8Array crosses as it is). */
export type ToWorker =
  /** `devices`: this worker's share; it subscribes to their uplink topics. */
  | { type: 'init'; login: ExternalBrokerLogin; clientId: string; topics: TopicTemplates; codec: PayloadCodecName; window: number; devices: string[] }
  /** Registered devices' keys: the worker verifies their readings from now on. */
  | { type: 'keys'; keys: Array<[deviceId: string, publicKey: Uint8Array, curve: CurveName]> }
  /** The run is done with this many of the worker's uplinks (oldest first): their acknowledgements may go. */
  | { type: 'done'; count: number }
  | { type: 'stop' };

/**
 * The signature verdict a worker sends with an uplink: 1 good, 0 bad, -1 not checked (not a
 * reading, a package it could not decode, or a device whose key it does not know yet): the run
 * then checks it itself.
 */
export type WorkerVerdict = 1 | 0 | -1;

/** Ingest worker → run. */
export type FromWorker =
  | { type: 'ready'; shared: boolean }
  | { type: 'uplinks'; items: Array<[topic: string, payload: Uint8Array, verdict: WorkerVerdict]> }
  | { type: 'stopped' }
  | { type: 'failed'; message: string; code: string | undefined };
