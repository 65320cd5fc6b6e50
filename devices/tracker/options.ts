import { PinbenchError } from '../../core/errors.ts';
import { DEFAULT_TOPICS, type TopicLayout } from '../../protocol/topics.ts';
import { ALL_DATA_CHANNELS } from '../../protocol/codec/data-channel.ts';
import { DEFAULT_PAYLOAD_CODEC, PAYLOAD_CODECS, isPayloadCodecName, type PayloadCodecName } from '../../protocol/codec/payload-codecs.ts';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { DEFAULT_BATTERY, type BatteryOptions, type BatteryOptionsInput } from './battery.ts';

/** How a device gets on the registry (see README of the confirm flow in ports.ts). */
export type RegistrationMode = 'confirm' | 'registrar';

/** Bulk upload of the offline buffer after a reconnect: bursts of `burstSize` messages, `pauseMs` apart. */
export interface BulkUploadOptions {
  /** Off: the device keeps no backlog; readings sampled offline are dropped (and counted). */
  readonly enabled: boolean;
  readonly burstSize: number;
  readonly pauseMs: number;
}

export interface TrackerOptions {
  readonly backoff?: Partial<BackoffOptions>;
  /** Boot takes a uniform time in [minMs, maxMs], which also spreads a fleet's first connects. */
  readonly boot?: { readonly minMs: number; readonly maxMs: number };
  /** A connect (CONNECT to SUBACK) that takes longer counts as failed. */
  readonly connectTimeoutMs?: number;
  /** Default 'registrar' (sim registers through the Registrar port); 'confirm' runs the ConfirmPackage exchange over MQTT. */
  readonly registration?: RegistrationMode;
  /** In 'confirm' mode: registering without a final status for this long fails into backoff. */
  readonly registrationTimeoutMs?: number;
  /** Readings the offline buffer holds; default 1,000. */
  readonly bufferCapacity?: number;
  readonly bulkUpload?: Partial<BulkUploadOptions>;
  /** Initial `SensorConfig.dataChannel` mask; default all channels. */
  readonly dataChannel?: number;
  /** `false`: no battery model (vbat comes from the sensor model, the device never sleeps or dies). */
  readonly battery?: false | BatteryOptionsInput;
  /** The firmware version the device boots with; default '1.0.0'. */
  readonly firmwareVersion?: string;
  /** Firmware download speed; sets how long `updating` lasts. Default 20,000 B/s. */
  readonly firmwareDownloadBytesPerS?: number;
  /** The topic layout the backend uses; default the Pebble firmware's. */
  readonly topics?: TopicLayout;
  /** How readings go on the data topic: `pebble-v2` (protobuf, default) or `json` (docs/codec-json.md). */
  readonly codec?: PayloadCodecName;
}

export interface ResolvedTrackerOptions {
  readonly backoff: BackoffOptions;
  readonly boot: { readonly minMs: number; readonly maxMs: number };
  readonly connectTimeoutMs: number;
  readonly registration: RegistrationMode;
  readonly registrationTimeoutMs: number;
  readonly bufferCapacity: number;
  readonly bulkUpload: BulkUploadOptions;
  readonly dataChannel: number;
  readonly battery: BatteryOptions | false;
  readonly firmwareVersion: string;
  readonly firmwareDownloadBytesPerS: number;
  readonly topics: TopicLayout;
  readonly codec: PayloadCodecName;
}

export const DEFAULT_TRACKER_OPTIONS: ResolvedTrackerOptions = {
  backoff: DEFAULT_BACKOFF,
  boot: { minMs: 1_000, maxMs: 3_000 },
  connectTimeoutMs: 30_000,
  registration: 'registrar',
  registrationTimeoutMs: 60_000,
  bufferCapacity: 1_000,
  bulkUpload: { enabled: true, burstSize: 20, pauseMs: 1_000 },
  dataChannel: ALL_DATA_CHANNELS,
  battery: DEFAULT_BATTERY,
  firmwareVersion: '1.0.0',
  firmwareDownloadBytesPerS: 20_000,
  topics: DEFAULT_TOPICS,
  codec: DEFAULT_PAYLOAD_CODEC,
};

/** Merges defaults once and validates; errors name the option and say what is expected. */
export function resolveTrackerOptions(options: TrackerOptions = {}): ResolvedTrackerOptions {
  const d = DEFAULT_TRACKER_OPTIONS;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const boot = options.boot ?? d.boot;
  const connectTimeoutMs = options.connectTimeoutMs ?? d.connectTimeoutMs;
  const registration = options.registration ?? d.registration;
  const registrationTimeoutMs = options.registrationTimeoutMs ?? d.registrationTimeoutMs;
  const bufferCapacity = options.bufferCapacity ?? d.bufferCapacity;
  const bulkUpload = { ...d.bulkUpload, ...options.bulkUpload };
  const dataChannel = options.dataChannel ?? d.dataChannel;
  const battery = options.battery === false ? false : { ...DEFAULT_BATTERY, ...options.battery, currentMa: { ...DEFAULT_BATTERY.currentMa, ...options.battery?.currentMa } };
  const firmwareVersion = options.firmwareVersion ?? d.firmwareVersion;
  const firmwareDownloadBytesPerS = options.firmwareDownloadBytesPerS ?? d.firmwareDownloadBytesPerS;
  const codec = options.codec ?? d.codec;
  const check = (ok: boolean, option: string, expected: string, value: unknown): void => {
    if (!ok) {
      throw new PinbenchError('CONFIG_INVALID', `option \`tracker.${option}\`: expected ${expected}, got ${JSON.stringify(value)}`, {
        details: { option: `tracker.${option}`, value },
      });
    }
  };
  const positive = (v: number): boolean => Number.isFinite(v) && v > 0;
  const fraction = (v: number): boolean => Number.isFinite(v) && v >= 0 && v <= 1;
  check(positive(backoff.initialMs), 'backoff.initialMs', 'a positive number of milliseconds', backoff.initialMs);
  check(positive(backoff.maxMs) && backoff.maxMs >= backoff.initialMs, 'backoff.maxMs', `a number ≥ backoff.initialMs (${backoff.initialMs})`, backoff.maxMs);
  check(Number.isFinite(backoff.multiplier) && backoff.multiplier >= 1, 'backoff.multiplier', 'a number ≥ 1', backoff.multiplier);
  check(fraction(backoff.jitter), 'backoff.jitter', 'a fraction in [0, 1]', backoff.jitter);
  check(Number.isFinite(boot.minMs) && boot.minMs >= 0 && boot.maxMs >= boot.minMs, 'boot', '{ minMs ≥ 0, maxMs ≥ minMs }', boot);
  check(positive(connectTimeoutMs), 'connectTimeoutMs', 'a positive number of milliseconds', connectTimeoutMs);
  check(registration === 'confirm' || registration === 'registrar', 'registration', "'confirm' or 'registrar'", registration);
  check(positive(registrationTimeoutMs), 'registrationTimeoutMs', 'a positive number of milliseconds', registrationTimeoutMs);
  check(Number.isSafeInteger(bufferCapacity) && bufferCapacity >= 0, 'bufferCapacity', 'an integer ≥ 0 (readings)', bufferCapacity);
  check(Number.isSafeInteger(bulkUpload.burstSize) && bulkUpload.burstSize >= 1, 'bulkUpload.burstSize', 'an integer ≥ 1 (messages per burst)', bulkUpload.burstSize);
  check(Number.isFinite(bulkUpload.pauseMs) && bulkUpload.pauseMs >= 0, 'bulkUpload.pauseMs', 'a number of milliseconds ≥ 0', bulkUpload.pauseMs);
  check(Number.isSafeInteger(dataChannel) && dataChannel >= 0 && dataChannel <= 0xffffffff, 'dataChannel', 'a uint32 DATA_CHANNEL bit mask', dataChannel);
  if (battery !== false) {
    check(positive(battery.capacityMah), 'battery.capacityMah', 'a positive number of mAh', battery.capacityMah);
    const initial = battery.initialCharge;
    const initialOk = typeof initial === 'number' ? initial > 0 && fraction(initial) : initial.length === 2 && initial[0] > 0 && fraction(initial[1]) && initial[0] <= initial[1];
    check(initialOk, 'battery.initialCharge', 'a fraction in (0, 1] or a range [min, max] of them', initial);
    check(fraction(battery.lowCharge), 'battery.lowCharge', 'a fraction in [0, 1]', battery.lowCharge);
    for (const [state, mA] of Object.entries(battery.currentMa)) check(Number.isFinite(mA) && mA >= 0, `battery.currentMa.${state}`, 'a current ≥ 0 mA', mA);
  }
  check(/^\d+(\.\d+)*$/.test(firmwareVersion), 'firmwareVersion', 'a dotted numeric version such as "1.0.0"', firmwareVersion);
  check(positive(firmwareDownloadBytesPerS), 'firmwareDownloadBytesPerS', 'a positive number of bytes per second', firmwareDownloadBytesPerS);
  check(isPayloadCodecName(codec), 'codec', `one of ${PAYLOAD_CODECS.join(', ')}`, codec);
  return {
    backoff,
    boot,
    connectTimeoutMs,
    registration,
    registrationTimeoutMs,
    bufferCapacity,
    bulkUpload,
    dataChannel,
    battery,
    firmwareVersion,
    firmwareDownloadBytesPerS,
    topics: options.topics ?? d.topics,
    codec,
  };
}
