import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { PinbenchError } from '../../core/errors.ts';
import { CURVE_NAMES, type CurveName } from '../../protocol/curves.ts';
import type { TopicTemplates } from '../../protocol/topics.ts';
import { CAPTURE_FORMAT_VERSION, CAPTURE_TABLES, META_KEYS, type CaptureMeta, type CapturedDevice, type CapturedPublish } from './capture-format.ts';

const AGAIN = 'record it again with `pinbench run --record`';

function damaged(path: string, reason: string, cause?: unknown): PinbenchError {
  return new PinbenchError('CAPTURE_UNREADABLE', `${path}: the capture is truncated or damaged (${reason}); ${AGAIN}`, { cause, details: { path, reason } });
}

function notACapture(path: string, reason: string, cause?: unknown): PinbenchError {
  return new PinbenchError('CAPTURE_UNREADABLE', `${path}: not a pinbench capture (${reason}); give the capture.db of a run recorded with \`pinbench run --record\``, {
    cause,
    details: { path, reason },
  });
}

/** SQLite's own words for what is wrong, without its error-class prefix. */
const sqliteReason = (error: unknown): string => (error as Error).message.replace(/^SQLITE_[A-Z_]+: /, '');

/** A capture opened for reading: checked whole, then read in pages of publishes. */
export interface Capture {
  readonly path: string;
  readonly meta: CaptureMeta;
  readonly devices: readonly CapturedDevice[];
  readonly publishCount: number;
  /** Publishes with `seq > afterSeq`, in the order the broker received them. */
  publishes(afterSeq: number, limit: number): CapturedPublish[];
  close(): void;
}

/**
 * Opens and checks a capture: SQLite's `quick_check` (a truncated file or a torn page fails it),
 * the tables and columns, and the meta rows. Every way it can be unreadable is one
 * CAPTURE_UNREADABLE line saying what and what to do. A capture whose recording run never
 * finished (`meta.complete` false) opens: it holds every publish flushed before the run stopped.
 */
export function openCapture(path: string): Capture {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw notACapture(path, code === 'ENOENT' ? 'no such file' : sqliteReason(cause), cause);
  }
  if (size === 0) throw damaged(path, 'the file is empty');
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw damaged(path, sqliteReason(cause), cause);
  }
  try {
    const meta = checkCapture(db, path);
    const devices = readDevices(db, path);
    const { n } = db.prepare('SELECT count(*) AS n FROM publishes').get() as { n: number };
    const page = db.prepare('SELECT seq, backend_ms, wall_ms, device_id, client_id, topic, payload FROM publishes WHERE seq > ? ORDER BY seq LIMIT ?');
    return {
      path,
      meta,
      devices,
      publishCount: n,
      publishes(afterSeq, limit) {
        let rows: Array<{ seq: number; backend_ms: number; wall_ms: number; device_id: string; client_id: string; topic: string; payload: Buffer }>;
        try {
          rows = page.all(afterSeq, limit) as typeof rows;
        } catch (cause) {
          throw damaged(path, sqliteReason(cause), cause);
        }
        return rows.map((r) => ({
          seq: r.seq, backendMs: r.backend_ms, wallMs: r.wall_ms, deviceId: r.device_id, clientId: r.client_id, topic: r.topic, payload: new Uint8Array(r.payload),
        }));
      },
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

function checkCapture(db: Db, path: string): CaptureMeta {
  let check: string[];
  try {
    check = (db.pragma('quick_check') as Array<{ quick_check: string }>).map((row) => row.quick_check);
  } catch (cause) {
    // SQLITE_NOTADB: no SQLite header at all.
    if ((cause as { code?: string }).code === 'SQLITE_NOTADB') throw notACapture(path, sqliteReason(cause), cause);
    throw damaged(path, sqliteReason(cause), cause);
  }
  if (check.length !== 1 || check[0] !== 'ok') throw damaged(path, check.slice(0, 2).join('; '));
  for (const [table, columns] of Object.entries(CAPTURE_TABLES)) {
    const have = new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((c) => c.name));
    if (have.size === 0) throw notACapture(path, `no ${table} table`);
    const missing = columns.filter((c) => !have.has(c));
    if (missing.length > 0) throw notACapture(path, `table ${table} lacks ${missing.join(', ')}`);
  }
  const rows = new Map((db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
  const version = Number(rows.get(META_KEYS.formatVersion));
  if (!Number.isInteger(version)) throw notACapture(path, 'no format version in its meta table');
  if (version > CAPTURE_FORMAT_VERSION) {
    throw new PinbenchError('CAPTURE_UNREADABLE', `${path}: the capture has format ${version}, newer than this pinbench reads (${CAPTURE_FORMAT_VERSION}); replay it with the pinbench that recorded it`, {
      details: { path, version },
    });
  }
  const text = (field: keyof typeof META_KEYS): string => {
    const value = rows.get(META_KEYS[field]);
    if (value === undefined) throw damaged(path, `meta has no ${META_KEYS[field]}`);
    return value;
  };
  const json = <T>(field: keyof typeof META_KEYS): T => {
    try {
      return JSON.parse(text(field)) as T;
    } catch (cause) {
      if (cause instanceof PinbenchError) throw cause;
      throw damaged(path, `meta ${META_KEYS[field]} is not JSON`, cause);
    }
  };
  const number = (field: keyof typeof META_KEYS): number => {
    const value = Number(text(field));
    if (!Number.isFinite(value)) throw damaged(path, `meta ${META_KEYS[field]} is not a number`);
    return value;
  };
  if (!rows.has(META_KEYS.calendar)) {
    throw new PinbenchError('CAPTURE_UNREADABLE', `${path}: the recording run stopped before its epochs began, so the capture has no epoch calendar to replay against; ${AGAIN}`, {
      details: { path },
    });
  }
  const calendar = json<CaptureMeta['calendar']>('calendar');
  if (![calendar?.startS, calendar?.lengthS, calendar?.count].every(Number.isFinite)) throw damaged(path, 'meta calendar lacks startS, lengthS or count');
  const timeMode = text('timeMode');
  return {
    formatVersion: version,
    scenarioName: text('scenarioName'),
    seed: number('seed'),
    scenario: json<Record<string, unknown>>('scenario'),
    calendar,
    topics: json<TopicTemplates>('topics'),
    maxClockSkewS: number('maxClockSkewS'),
    timeMode: timeMode === 'realtime' ? 'realtime' : 'accelerated',
    fleetSize: number('fleetSize'),
    recordedAt: text('recordedAt'),
    complete: rows.get(META_KEYS.complete) === '1',
  };
}

function readDevices(db: Db, path: string): CapturedDevice[] {
  const rows = db.prepare('SELECT device_id, public_key, curve, owner, upload_period_s FROM devices ORDER BY device_id').all() as Array<{
    device_id: string;
    public_key: Buffer;
    curve: string;
    owner: string;
    upload_period_s: number;
  }>;
  return rows.map((r) => {
    if (!CURVE_NAMES.includes(r.curve as CurveName)) throw damaged(path, `device ${r.device_id} has curve ${JSON.stringify(r.curve)}`);
    return { deviceId: r.device_id, publicKey: new Uint8Array(r.public_key), curve: r.curve as CurveName, owner: r.owner, uploadPeriodS: r.upload_period_s };
  });
}
