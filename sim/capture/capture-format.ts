import type { CurveName } from '../../protocol/curves.ts';
import type { TopicTemplates } from '../../protocol/topics.ts';

/**
 * The capture file (`<run folder>/capture.db`, written by `pinbench run --record`): every device
 * publish the broker received, with what a fresh run needs to take its devices back. It is a
 * SQLite file, through `better-sqlite3` as run.db is, rather than a length-prefixed stream:
 * appends are committed transactions in WAL mode, so a run killed mid-write leaves a file that
 * holds every flushed publish and nothing half-written; a truncated or damaged file is found by
 * SQLite's own checks (`PRAGMA quick_check`) rather than by framing of our own; anyone can query
 * it with any SQLite tool; and the project has the dependency already. Bumping
 * `CAPTURE_FORMAT_VERSION` means old captures are refused with a clear line, not misread.
 */
export const CAPTURE_FORMAT_VERSION = 1;

export const CAPTURE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY,
  public_key BLOB NOT NULL,
  curve TEXT NOT NULL,
  owner TEXT NOT NULL,
  upload_period_s REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS publishes (
  seq INTEGER PRIMARY KEY,
  backend_ms INTEGER NOT NULL,
  wall_ms INTEGER NOT NULL,
  device_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  payload BLOB NOT NULL
);
`;

/** The tables a capture must have, with the columns the reader uses. */
export const CAPTURE_TABLES: Readonly<Record<string, readonly string[]>> = {
  meta: ['key', 'value'],
  devices: ['device_id', 'public_key', 'curve', 'owner', 'upload_period_s'],
  publishes: ['seq', 'backend_ms', 'wall_ms', 'device_id', 'client_id', 'topic', 'payload'],
};

/** What the recording run was: enough to rebuild its calendar, its checks and its owners' keys. */
export interface CaptureMeta {
  readonly formatVersion: number;
  readonly scenarioName: string;
  readonly seed: number;
  /** The recording run's scenario as parsed (JSON, bigints as strings): reward, circuit, ingest settings. */
  readonly scenario: Record<string, unknown>;
  /** The run's epoch calendar: epoch `e` holds timestamps in [startS + e·lengthS, startS + (e+1)·lengthS). */
  readonly calendar: { readonly startS: number; readonly lengthS: number; readonly count: number };
  readonly topics: TopicTemplates;
  readonly maxClockSkewS: number;
  readonly timeMode: 'realtime' | 'accelerated';
  /** Devices the recording run planned itself (their owners' keys follow from the seed and the fleet position). */
  readonly fleetSize: number;
  readonly recordedAt: string;
  /** Set once the recording run reached the end of its last epoch: absent when it was killed or stopped early. */
  readonly complete: boolean;
}

/** A device's provisioning record as the recording run's directory had it (no password: a fresh run issues its own). */
export interface CapturedDevice {
  readonly deviceId: string;
  readonly publicKey: Uint8Array;
  readonly curve: CurveName;
  readonly owner: string;
  readonly uploadPeriodS: number;
}

/** One publish as the broker received it. */
export interface CapturedPublish {
  readonly seq: number;
  /** The backend's clock (the run's simulated time) at arrival, ms. */
  readonly backendMs: number;
  readonly wallMs: number;
  readonly deviceId: string;
  readonly clientId: string;
  readonly topic: string;
  readonly payload: Uint8Array;
}

/** meta keys as stored (one row each, values as text). */
export const META_KEYS = {
  formatVersion: 'format_version',
  scenarioName: 'scenario_name',
  seed: 'seed',
  scenario: 'scenario',
  calendar: 'calendar',
  topics: 'topics',
  maxClockSkewS: 'max_clock_skew_s',
  timeMode: 'time_mode',
  fleetSize: 'fleet_size',
  recordedAt: 'recorded_at',
  complete: 'complete',
} as const satisfies Record<keyof CaptureMeta, string>;
