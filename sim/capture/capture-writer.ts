import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { ReceivedPublish } from '../../backend/start-backend.ts';
import { CAPTURE_SCHEMA_SQL, META_KEYS, type CaptureMeta, type CapturedDevice } from './capture-format.ts';

/** What a writer is told at the start; the calendar follows once the run's epochs begin (`describeCalendar`). */
export type CaptureStartMeta = Omit<CaptureMeta, 'complete' | 'calendar'>;

/**
 * Rows wait in memory at most this long, or until this many are waiting: one transaction per
 * flush is what lets the broker of 10,000 devices append without waiting on the disk (a row per
 * transaction would be an fsync-bound few thousand a second).
 */
const FLUSH_EVERY_MS = 200;
const FLUSH_AT_ROWS = 2000;

/**
 * Appends what the broker received to a capture file (capture-format.ts). `append` is cheap and
 * never throws, since it runs inside the broker's hook: a capture that cannot be written any more
 * is reported once and the run goes on without it. `finish()` marks the capture complete;
 * `close()` flushes and leaves one self-contained file (no -wal beside it), fit to be copied
 * into a repository as a regression scenario.
 */
export class CaptureWriter {
  private readonly db: Db;
  private readonly insertPublish: Statement;
  private readonly insertDevice: Statement;
  private readonly setMeta: Statement;
  private readonly seen = new Set<string>();
  private pending: ReceivedPublish[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failed = false;
  private closed = false;
  private count = 0;

  constructor(
    readonly path: string,
    meta: CaptureStartMeta,
    private readonly provisioned: (deviceId: string) => CapturedDevice | undefined,
    private readonly logger: Logger,
  ) {
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      // NORMAL in WAL: a power cut may lose the last flushes, never the file's consistency.
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(CAPTURE_SCHEMA_SQL);
    } catch (cause) {
      throw new PinbenchError('CAPTURE_WRITE_FAILED', `${path}: cannot create the capture (${(cause as Error).message}); give --out a writable folder with free space`, {
        cause,
        details: { path },
      });
    }
    this.setMeta = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    const values: Partial<Record<keyof typeof META_KEYS, string>> = {
      formatVersion: String(meta.formatVersion),
      scenarioName: meta.scenarioName,
      seed: String(meta.seed),
      scenario: JSON.stringify(meta.scenario),
      topics: JSON.stringify(meta.topics),
      maxClockSkewS: String(meta.maxClockSkewS),
      timeMode: meta.timeMode,
      fleetSize: String(meta.fleetSize),
      recordedAt: meta.recordedAt,
    };
    this.db.transaction(() => {
      for (const [field, value] of Object.entries(values)) this.setMeta.run(META_KEYS[field as keyof typeof META_KEYS], value);
    })();
    this.insertPublish = this.db.prepare(
      'INSERT INTO publishes (backend_ms, wall_ms, device_id, client_id, topic, payload) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertDevice = this.db.prepare('INSERT OR IGNORE INTO devices (device_id, public_key, curve, owner, upload_period_s) VALUES (?, ?, ?, ?, ?)');
  }

  /** Publishes appended so far (flushed or waiting). */
  get appended(): number {
    return this.count;
  }

  append = (received: ReceivedPublish): void => {
    if (this.failed || this.closed) return;
    this.count += 1;
    // The broker's buffer is the socket's chunk: keep a copy of our own until the flush.
    this.pending.push({ ...received, payload: Buffer.from(received.payload) });
    if (this.pending.length >= FLUSH_AT_ROWS) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), FLUSH_EVERY_MS);
      this.timer.unref();
    }
  };

  /** Writes what is waiting, in one transaction. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.failed || this.closed || this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    try {
      this.db.transaction(() => {
        for (const r of rows) {
          if (!this.seen.has(r.deviceId)) {
            const device = this.provisioned(r.deviceId);
            if (device !== undefined) {
              this.insertDevice.run(device.deviceId, Buffer.from(device.publicKey), device.curve, device.owner, device.uploadPeriodS);
              this.seen.add(r.deviceId);
            }
          }
          this.insertPublish.run(Math.round(r.backendMs), Math.round(r.wallMs), r.deviceId, r.clientId, r.topic, r.payload);
        }
      })();
    } catch (error) {
      this.failed = true;
      this.logger.warn(`${this.path}: the capture could not be written (${(error as Error).message}); the run goes on without recording, and the capture holds what was written before`);
    }
  }

  /** The run's epochs, once they begin (a run waiting for attached devices starts them late). */
  describeCalendar(calendar: CaptureMeta['calendar']): void {
    if (this.failed || this.closed) return;
    this.setMeta.run(META_KEYS.calendar, JSON.stringify({ startS: calendar.startS, lengthS: calendar.lengthS, count: calendar.count }));
  }

  /** The recording covered the run to its end. */
  finish(): void {
    this.flush();
    if (this.failed || this.closed) return;
    this.setMeta.run(META_KEYS.complete, '1');
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    try {
      // One file, no -wal/-shm: a capture is copied around (CI) and opened read-only.
      this.db.pragma('journal_mode = DELETE');
    } catch (error) {
      this.logger.warn(`${this.path}: could not fold the capture's write-ahead log into it (${(error as Error).message}); keep capture.db-wal beside it`);
    }
    this.db.close();
  }
}
