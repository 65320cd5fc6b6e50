import type { Random } from '../../core/ports.ts';
import type { SensorConfig } from '../../protocol/codec/sensor-config.ts';
import type { DeviceSpec } from '../spec.ts';
import type { BatteryFailure } from './battery.ts';
import type { Reading } from './reading.ts';

/** Credentials a device connects with: client id and username are the device id. */
export interface MqttConnectOptions {
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Opens MQTT connections for devices. sim/ implements it over mqtt.js (or a real device's
 * transport); devices never open sockets themselves.
 */
export interface MqttConnector {
  /** Resolves once the broker accepted the connection (CONNACK 0); rejects otherwise. */
  connect(options: MqttConnectOptions): Promise<MqttLink>;
}

/** One open MQTT connection. */
export interface MqttLink {
  /** Resolves when the broker acknowledged it (PUBACK for QoS 1 [MQTT-4.3.2]). */
  publish(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void>;
  /** Resolves on SUBACK. */
  subscribe(topic: string): Promise<void>;
  /** Sets the handler for incoming messages (replaces any earlier one). */
  onMessage(handler: (topic: string, payload: Uint8Array) => void): void;
  /** Sets the handler called once when the connection closes for any reason other than `end()`. */
  onClose(handler: (reason?: Error) => void): void;
  /** Closes the connection cleanly (DISCONNECT); resolves when closed. */
  end(): Promise<void>;
}

/** Puts devices on the device registry; sim batches these into on-chain transactions. */
export interface Registrar {
  /** Resolves once the device is on the registry; rejects if it cannot be registered now. */
  register(device: DeviceSpec): Promise<void>;
}

/** Where a tracker reports what it did; sim turns these into metrics and run-database rows. */
export interface DeviceEventSink {
  /** A reading was published and acknowledged. `bytes` is the BinPackage as sent. */
  published(deviceId: string, topic: string, bytes: Uint8Array, timestampS: number): void;
  publishFailed(deviceId: string, reason: string): void;
  stateChanged(deviceId: string, from: string, to: string, atMs: number): void;
  /** Registration was refused; the tracker retries after a backoff. */
  registrationFailed?(deviceId: string, reason: string): void;
  /** A backend message arrived on `backend/<id>/…`. */
  received?(deviceId: string, topic: string, payload: Uint8Array): void;
  /** The offline buffer was full (or bulk upload is off): `count` oldest readings were dropped. */
  bufferDropped?(deviceId: string, count: number): void;
  /** A `backend/<id>/config` SensorConfig was applied. */
  configApplied?(deviceId: string, config: SensorConfig): void;
  /** A downlink could not be decoded or used; the device ignored it. */
  downlinkRejected?(deviceId: string, topic: string, reason: string): void;
  /** The device rebooted into firmware `version` after an update. */
  firmwareUpdated?(deviceId: string, version: string): void;
}

/** The package an honest device would publish at an upload. */
export interface HonestUpload {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly timestampS: number;
  readonly reading: Reading;
}

/** What the device actually publishes instead (an adversary's or a fault's version). */
export interface PlannedPublish {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly timestampS: number;
  readonly note?: string;
}

/**
 * Hooks through which faults and adversaries (devices/behaviours/) change what a tracker does;
 * every member is optional and the default is the honest device.
 */
export interface TrackerBehaviour {
  /** Called at each upload with the honest package; returns what the device actually publishes (0..n messages). Default: [honest]. */
  onUpload?(honest: HonestUpload, ctx: { readonly nowMs: number; readonly random: Random; readonly deviceId: string }): readonly PlannedPublish[];
  /** Multiplies the upload rate (flooding > 1). */
  readonly uploadRateFactor?: number;
  /** Offset added to the device's clock when it stamps readings (clock skew/drift): ms as a function of simulated time. */
  clockOffsetMs?(nowMs: number): number;
  /** Network faults: called on each scheduled upload while online; returning a duration (ms) forces a disconnect for that long. */
  outageMs?(nowMs: number, random: Random): number | undefined;
  /** The cell fails at `atMs` (fault `battery-failure`): drives the tracker's battery model, so the device sleeps and dies early. */
  readonly batteryFailure?: BatteryFailure;
}
