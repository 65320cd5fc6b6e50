import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { PinbenchError } from '../../core/errors.ts';
import { ACCOUNTING_INDEXES_SQL, SCHEMA_SQL } from './schema.ts';
import { rejectedPayloadToStore, REJECTIONS_ADDED_COLUMNS } from './rejected-payload.ts';

/** rewards.flagged came with stakes on chain: a run.db from before gets it, 0 in its older rows. */
const REWARDS_ADDED_COLUMNS = [['flagged', 'INTEGER NOT NULL DEFAULT 0']] as const;

/** A registered device as the backend knows it: from the registry's DeviceRegistered event. */
export interface DeviceRow {
  deviceIndex: number;
  deviceId: string;
  owner: string;
  publicKey: Uint8Array;
  /** The bench's name and motion profile for a device it made (see `describeDevices`). */
  name?: string;
  motion?: string;
}

/** What the bench made a device: the report's per-profile table reads it. */
export interface DeviceProfileRow {
  deviceIndex: number;
  name: string;
  motion: string;
  /** Report label: motion, then adversary or faults. */
  profile: string;
  adversary: string | null;
  uploadPeriodS: number;
}

export interface AcceptedReading {
  deviceIndex: number;
  epoch: number;
  timestampS: number;
  latE7: number;
  lonE7: number;
  receivedMs: number;
  packageBytes: Uint8Array;
  digest: Uint8Array;
}

export interface Rejection {
  clientId: string | null;
  topic: string;
  reason: string;
  detail: string;
  receivedMs: number;
  payload: Uint8Array;
  digest: Uint8Array;
}

/** See `RunStore.messagePopulations`. */
export interface MessagePopulations {
  fleet: { accepted: number; rejected: number; unaccounted: number };
  outside: { received: number; accepted: number; rejected: number };
}

export interface PublishedRecord {
  deviceIndex: number;
  digest: Uint8Array;
  publishedMs: number;
}

export interface StoredReading {
  deviceIndex: number;
  timestampS: number;
  latE7: number;
  lonE7: number;
}

/** One device's accepted readings of an epoch, by timestamp, with their signed packages in the same order. */
export interface EpochDeviceRows {
  deviceIndex: number;
  readings: StoredReading[];
  packages: Buffer[];
}

export interface BatchRow {
  epoch: number;
  batch: number;
  status: string;
  commitment: string | null;
  publicSignals: string | null;
  proveMs: number | null;
  txHash: string | null;
  gasUsed: string | null;
  settleMs: number | null;
  error: string | null;
}

/** A Buffer over the same memory (better-sqlite3 binds Buffers; payloads from aedes already are). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Rows buffered before a flush is forced, so a burst cannot grow the buffers (or one commit's
 * stall) without bound.
 */
const MAX_PENDING_ROWS = 8192;

/**
 * How long rows wait for their commit by default. A commit writes every page it dirtied to the
 * WAL once, and each device's next reading lands on that device's own page of the
 * `readings_epoch` index; so a commit costs about a page per device in it, however many readings
 * each device has in it, and rows per commit should well exceed the devices sending.
 * `test/bench/store-commit.ts` (1,000 devices round robin, 400,000 rows, median of 3, 2 shared
 * cores): 9.1 µs of CPU per row at 1,000 rows per commit (100 ms at 10,000/s, the old default),
 * 4.5 at 4,096, 3.7 at 8,192; the longest commit (a WAL checkpoint in it) 34, 47 and 64 ms. In
 * the ingest bench's smaller database (150,000 rows): 4.2 µs per row at 1,300 rows per commit,
 * 3.1 at 8,192. A process that crashes loses what is buffered, at most this long (it was 100 ms);
 * SQLite itself stays consistent.
 */
export const DEFAULT_FLUSH_EVERY_MS = 1000;

/**
 * Rows waiting for their commit, in columns (numbers in typed arrays, the digests in one byte
 * arena) rather than one object per row: rows wait up to a second, and objects that live that
 * long are copied by every young-generation GC until they are promoted, then collected by a full
 * GC. Each row has `intsPerRow` int32 and `floatsPerRow` float64 columns, one digest, and may
 * keep one byte field by reference (a package: a Buffer already, SQLite copies it at the insert).
 */
class PendingColumns {
  count = 0;
  ints: Int32Array;
  floats: Float64Array;
  /** The digests back to back; row k's ends at `digestEnds[k]`. */
  private digests: Buffer;
  private digestEnds: Int32Array;
  private digestsAt = 0;
  readonly refs: Uint8Array[] = [];

  constructor(intsPerRow: number, floatsPerRow: number, capacity = 1024) {
    this.ints = new Int32Array(capacity * intsPerRow);
    this.floats = new Float64Array(capacity * floatsPerRow);
    this.digests = Buffer.allocUnsafe(capacity * 8);
    this.digestEnds = new Int32Array(capacity);
  }

  /** A new row with `digest` copied in; returns its index (fill its ints and floats next). */
  add(digest: Uint8Array): number {
    const k = this.count;
    if (k === this.digestEnds.length) {
      const ints = new Int32Array(this.ints.length * 2);
      ints.set(this.ints);
      this.ints = ints;
      const floats = new Float64Array(this.floats.length * 2);
      floats.set(this.floats);
      this.floats = floats;
      const ends = new Int32Array(this.digestEnds.length * 2);
      ends.set(this.digestEnds);
      this.digestEnds = ends;
    }
    if (this.digestsAt + digest.length > this.digests.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.digests.length * 2, this.digestsAt + digest.length));
      this.digests.copy(bigger, 0, 0, this.digestsAt);
      this.digests = bigger;
    }
    this.digests.set(digest, this.digestsAt);
    this.digestsAt += digest.length;
    this.digestEnds[k] = this.digestsAt;
    this.count = k + 1;
    return k;
  }

  /** Row k's digest, a view into the arena (valid until `clear`). */
  digestOf(k: number): Buffer {
    return this.digests.subarray(k === 0 ? 0 : this.digestEnds[k - 1]!, this.digestEnds[k]!);
  }

  clear(): void {
    this.count = 0;
    this.digestsAt = 0;
    this.refs.length = 0;
  }
}

/**
 * The run database. Accepted readings, rejections and publishes are buffered and written in one
 * transaction per flush (a write per message would cap ingest at a few thousand per second;
 * see DEFAULT_FLUSH_EVERY_MS); `flush()` runs before anything reads them back, before every use
 * of `db` and on close, so nothing accepted is lost or unseen.
 */
export class RunStore {
  private readonly connection: Db;
  /** Readings: ints deviceIndex, epoch, latE7, lonE7; floats timestampS, receivedMs; the package by reference. */
  private readonly pendingReadings = new PendingColumns(4, 2);
  private readonly pendingRejections: Rejection[] = [];
  /** Published: ints deviceIndex; floats publishedMs. */
  private readonly pendingPublished = new PendingColumns(1, 1);
  private readonly insertPublished: Statement;
  private readonly insertReading: Statement;
  private readonly insertRejection: Statement;
  private readonly writeBuffered: () => void;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    file: string,
    private readonly flushEveryMs = DEFAULT_FLUSH_EVERY_MS,
    private readonly maxPendingRows = MAX_PENDING_ROWS,
  ) {
    try {
      this.connection = new Database(file);
    } catch (cause) {
      throw new PinbenchError('STORE_OPEN_FAILED', `cannot open the run database ${file}: ${(cause as Error).message}; check that the folder is writable`, { cause });
    }
    this.connection.pragma('journal_mode = WAL');
    // In WAL mode `NORMAL` fsyncs only at checkpoints, not per commit: a crash of the process
    // loses nothing, an OS crash or power loss at most the last commits, and the file is never
    // corrupted (OFF could corrupt it, and `pinbench resume` relies on run.db). A checkpoint
    // runs inside the commit that crosses the limit, on the event loop, and takes time in
    // proportion to the pages since the last one: 8 MB keeps that stall near 40 ms (2.85
    // million readings of 1,000 devices: ~16 µs per row, longest commit 41 ms; at 80 MB,
    // ~12 µs per row but commits of up to 100 ms, which showed in publish → accept latency).
    this.connection.pragma('synchronous = NORMAL');
    this.connection.pragma('wal_autocheckpoint = 2000');
    this.connection.pragma('cache_size = -65536');
    this.connection.exec(SCHEMA_SQL);
    this.addMissingColumns('rejections', REJECTIONS_ADDED_COLUMNS);
    this.addMissingColumns('rewards', REWARDS_ADDED_COLUMNS);
    this.insertReading = this.connection.prepare(
      `INSERT INTO readings (device_index, epoch, timestamp_s, lat_e7, lon_e7, received_ms, package, digest)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertRejection = this.connection.prepare(
      `INSERT INTO rejections (client_id, topic, reason, detail, received_ms, payload, digest, payload_length, payload_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertPublished = this.connection.prepare('INSERT INTO published (device_index, digest, published_ms) VALUES (?, ?, ?)');
    this.writeBuffered = this.connection.transaction(() => {
      const readings = this.pendingReadings;
      const { ints, floats, refs } = readings;
      for (let k = 0; k < readings.count; k++) {
        const i = k * 4;
        const f = k * 2;
        this.insertReading.run(ints[i], ints[i + 1], floats[f], ints[i + 2], ints[i + 3], floats[f + 1], asBuffer(refs[k]!), readings.digestOf(k));
      }
      for (const r of this.pendingRejections) {
        const stored = rejectedPayloadToStore(r.payload);
        this.insertRejection.run(r.clientId, r.topic, r.reason, r.detail, r.receivedMs, asBuffer(stored.prefix), asBuffer(r.digest), stored.length, stored.sha256);
      }
      const published = this.pendingPublished;
      for (let k = 0; k < published.count; k++) this.insertPublished.run(published.ints[k], published.digestOf(k), published.floats[k]);
      readings.clear();
      this.pendingRejections.length = 0;
      published.clear();
    });
  }

  /**
   * The connection, for reads and writes of other tables. Buffered rows are committed first, so
   * whoever reads through it sees every reading, rejection and publish added so far, and
   * whatever it writes comes after them.
   */
  get db(): Db {
    this.flush();
    return this.connection;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  getMeta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  addDevices(rows: DeviceRow[]): void {
    const insert = this.db.prepare(
      'INSERT INTO devices (device_index, device_id, name, motion, owner, public_key) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const d of rows) insert.run(d.deviceIndex, d.deviceId, d.name ?? null, d.motion ?? null, d.owner, Buffer.from(d.publicKey));
    })();
  }

  /** The bench's description of devices it made, once they are registered (`devices` rows exist). */
  describeDevices(rows: readonly DeviceProfileRow[]): void {
    const profile = this.db.prepare('INSERT INTO device_profiles (device_index, profile, adversary, upload_period_s) VALUES (?, ?, ?, ?)');
    const label = this.db.prepare('UPDATE devices SET name = ?, motion = ? WHERE device_index = ?');
    this.db.transaction(() => {
      for (const r of rows) {
        profile.run(r.deviceIndex, r.profile, r.adversary, r.uploadPeriodS);
        label.run(r.name, r.motion, r.deviceIndex);
      }
    })();
  }

  addReading(reading: AcceptedReading): void {
    const pending = this.pendingReadings;
    const k = pending.add(reading.digest);
    const i = k * 4;
    pending.ints[i] = reading.deviceIndex;
    pending.ints[i + 1] = reading.epoch;
    pending.ints[i + 2] = reading.latE7;
    pending.ints[i + 3] = reading.lonE7;
    pending.floats[k * 2] = reading.timestampS;
    pending.floats[k * 2 + 1] = reading.receivedMs;
    pending.refs.push(reading.packageBytes);
    this.scheduleFlush();
  }

  /** A run.db from before a table had its newer columns gets them (REJECTIONS_ADDED_COLUMNS, REWARDS_ADDED_COLUMNS). */
  private addMissingColumns(table: string, columns: ReadonlyArray<readonly [string, string]>): void {
    const have = new Set((this.connection.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name));
    for (const [name, type] of columns) {
      if (!have.has(name)) this.connection.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
    }
  }

  addRejection(rejection: Rejection): void {
    this.pendingRejections.push(rejection);
    this.scheduleFlush();
  }

  addPublished(record: PublishedRecord): void {
    const pending = this.pendingPublished;
    const k = pending.add(record.digest);
    pending.ints[k] = record.deviceIndex;
    pending.floats[k] = record.publishedMs;
    this.scheduleFlush();
  }

  private pendingRows(): number {
    return this.pendingReadings.count + this.pendingRejections.length + this.pendingPublished.count;
  }

  private scheduleFlush(): void {
    if (this.pendingRows() >= this.maxPendingRows) {
      this.flush();
      return;
    }
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, this.flushEveryMs);
  }

  flush(): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.pendingRows() > 0) this.writeBuffered();
  }

  /** Accepted readings of one epoch, grouped per device index, each sorted by timestamp. */
  epochReadings(epoch: number): Map<number, StoredReading[]> {
    this.flush();
    const rows = this.db
      .prepare(
        `SELECT device_index AS deviceIndex, timestamp_s AS timestampS, lat_e7 AS latE7, lon_e7 AS lonE7
         FROM readings WHERE epoch = ? ORDER BY device_index, timestamp_s`,
      )
      .all(epoch) as StoredReading[];
    const byDevice = new Map<number, StoredReading[]>();
    for (const row of rows) {
      let list = byDevice.get(row.deviceIndex);
      if (list === undefined) byDevice.set(row.deviceIndex, (list = []));
      list.push(row);
    }
    return byDevice;
  }

  /**
   * Accepted readings of one epoch, a page of whole devices at a time in device-index order,
   * each device's readings by timestamp with their signed packages (the `readings_epoch` index
   * gives this order without sorting the epoch). A page holds about `pageRows` readings; a
   * device whose readings run past the page's end moves on to the next page whole.
   *
   * Each page is read in full before it is handed out and the next one starts after the last
   * (device, timestamp) read, so no statement stays open between pages: the caller may let the
   * event loop, and the ingest's writes to this connection, run between them.
   */
  *epochDevicePages(epoch: number, pageRows: number): Generator<EpochDeviceRows[]> {
    if (!Number.isInteger(pageRows) || pageRows < 1) throw new RangeError(`pageRows: expected a positive integer, got ${pageRows}`);
    this.flush();
    const columns = 'SELECT device_index, timestamp_s, lat_e7, lon_e7, package FROM readings';
    const order = 'ORDER BY device_index, timestamp_s LIMIT ?';
    const first = this.db.prepare(`${columns} WHERE epoch = ? ${order}`).raw(true);
    const after = this.db.prepare(`${columns} WHERE epoch = ? AND (device_index, timestamp_s) > (?, ?) ${order}`).raw(true);
    let carried: EpochDeviceRows | undefined;
    let last: [number, number] | undefined;
    for (;;) {
      const rows = (last === undefined ? first.all(epoch, pageRows) : after.all(epoch, last[0], last[1], pageRows)) as Array<
        [number, number, number, number, Buffer]
      >;
      const page: EpochDeviceRows[] = [];
      let current = carried;
      for (const [deviceIndex, timestampS, latE7, lonE7, pkg] of rows) {
        if (current === undefined || current.deviceIndex !== deviceIndex) {
          if (current !== undefined) page.push(current);
          current = { deviceIndex, readings: [], packages: [] };
        }
        current.readings.push({ deviceIndex, timestampS, latE7, lonE7 });
        current.packages.push(pkg);
      }
      if (rows.length < pageRows) {
        if (current !== undefined) page.push(current);
        if (page.length > 0) yield page;
        return;
      }
      // A full page may have stopped inside its last device: that device waits for the next page.
      carried = current;
      const end = rows[rows.length - 1]!;
      last = [end[0], end[1]];
      if (page.length > 0) yield page;
    }
  }

  /** Publishes a device got a PUBACK for that the ingest neither accepted nor rejected. */
  unaccountedPublishes(): Array<{ deviceIndex: number; count: number }> {
    this.flush();
    this.db.exec(ACCOUNTING_INDEXES_SQL);
    return this.db
      .prepare(
        `SELECT p.device_index AS deviceIndex, count(*) AS count FROM published p
         WHERE NOT EXISTS (SELECT 1 FROM readings r WHERE r.digest = p.digest)
           AND NOT EXISTS (SELECT 1 FROM rejections j WHERE j.digest = p.digest)
         GROUP BY p.device_index ORDER BY p.device_index`,
      )
      .all() as Array<{ deviceIndex: number; count: number }>;
  }

  /**
   * The fleet's acknowledged publishes (table `published`) split by outcome, and the messages the
   * ingest judged that are none of them. A publish belongs to the fleet by its digest, so a
   * mosquitto client logged in with a fleet device's credentials is outside the fleet like an
   * attached board. `fleet.accepted + fleet.rejected + fleet.unaccounted` is every fleet publish;
   * `outside` counts readings and message rejections whose digest no fleet publish has (also a
   * fleet reading that arrived but whose PUBACK the device never got). Rejections whose reason is
   * in `notMessages` (refused subscribes, closed connections) are neither.
   */
  messagePopulations(notMessages: readonly string[]): MessagePopulations {
    this.flush();
    this.db.exec(ACCOUNTING_INDEXES_SQL);
    const excluded = `(${notMessages.map(() => '?').join(', ') || "''"})`;
    const row = this.db
      .prepare(
        `SELECT
           (SELECT count(*) FROM published p WHERE EXISTS (SELECT 1 FROM readings r WHERE r.digest = p.digest)) AS fleetAccepted,
           (SELECT count(*) FROM published p WHERE NOT EXISTS (SELECT 1 FROM readings r WHERE r.digest = p.digest)
              AND EXISTS (SELECT 1 FROM rejections j WHERE j.digest = p.digest AND j.reason NOT IN ${excluded})) AS fleetRejected,
           (SELECT count(*) FROM published p WHERE NOT EXISTS (SELECT 1 FROM readings r WHERE r.digest = p.digest)
              AND NOT EXISTS (SELECT 1 FROM rejections j WHERE j.digest = p.digest)) AS fleetUnaccounted,
           (SELECT count(*) FROM readings r WHERE NOT EXISTS (SELECT 1 FROM published p WHERE p.digest = r.digest)) AS outsideAccepted,
           (SELECT count(*) FROM rejections j WHERE j.reason NOT IN ${excluded}
              AND NOT EXISTS (SELECT 1 FROM published p WHERE p.digest = j.digest)) AS outsideRejected`,
      )
      .get(...notMessages, ...notMessages) as Record<string, number>;
    return {
      fleet: { accepted: row.fleetAccepted!, rejected: row.fleetRejected!, unaccounted: row.fleetUnaccounted! },
      outside: { received: row.outsideAccepted! + row.outsideRejected!, accepted: row.outsideAccepted!, rejected: row.outsideRejected! },
    };
  }

  setCounter(name: string, value: number): void {
    this.db.prepare('INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)').run(name, value);
  }

  upsertBatch(row: BatchRow): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO batches (epoch, batch, status, commitment, public_signals, prove_ms, tx_hash, gas_used, settle_ms, error)
         VALUES (@epoch, @batch, @status, @commitment, @publicSignals, @proveMs, @txHash, @gasUsed, @settleMs, @error)`,
      )
      .run(row);
  }

  addRewards(rows: Array<{ epoch: number; batch: number; deviceIndex: number; samples: number; units: bigint; rewardWei: bigint; flagged?: boolean }>): void {
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO rewards (epoch, batch, device_index, samples, units, reward_wei, flagged) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const r of rows) insert.run(r.epoch, r.batch, r.deviceIndex, r.samples, r.units.toString(), r.rewardWei.toString(), r.flagged === true ? 1 : 0);
    })();
  }

  close(): void {
    this.flush();
    this.connection.close();
  }
}
