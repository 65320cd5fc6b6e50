/**
 * The run database (`run.db`): one SQLite file per run, queryable with any SQLite tool. The
 * whole schema is here, whichever stage writes a table: every stage keeps its counters here so
 * a run can be audited and resumed. The bench writes two tables of its own through RunStore
 * (`published`, what its devices got a PUBACK for, and `device_profiles`, what it made each
 * device); the backend writes the rest.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  device_index INTEGER PRIMARY KEY,      -- registry index (1-based, 0 means an empty batch slot)
  device_id TEXT NOT NULL UNIQUE,        -- IMEI, also the MQTT client id
  name TEXT,                             -- the bench's name for a device it made (NULL for others)
  motion TEXT,                           -- the bench's motion profile of a device it made
  owner TEXT NOT NULL,                   -- owner address (checksummed), from the DeviceRegistered event
  public_key BLOB NOT NULL               -- 65-byte uncompressed key, from the DeviceRegistered event
);
CREATE TABLE IF NOT EXISTS device_profiles (
  device_index INTEGER PRIMARY KEY,
  profile TEXT NOT NULL,                 -- report label: motion, then adversary or faults
  adversary TEXT,                        -- adversary profile name, NULL for honest devices
  upload_period_s REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS readings (
  id INTEGER PRIMARY KEY,
  device_index INTEGER NOT NULL REFERENCES devices(device_index),
  epoch INTEGER NOT NULL,
  timestamp_s INTEGER NOT NULL,
  lat_e7 INTEGER NOT NULL,
  lon_e7 INTEGER NOT NULL,
  received_ms INTEGER NOT NULL,          -- wall clock at accept
  package BLOB NOT NULL,                 -- the signed BinPackage exactly as published
  digest BLOB NOT NULL                   -- first 8 bytes of sha256(package), to account for every publish
);
-- The one index kept while readings arrive: every index costs a page write per reading (the
-- readings of a slice land all over each index), and commits and checkpoints of those pages
-- stall the ingest's event loop. This one streams an epoch device by device, and it is the
-- uniqueness of (device_index, timestamp_s) too, because the epoch follows from the timestamp.
CREATE UNIQUE INDEX IF NOT EXISTS readings_epoch ON readings (epoch, device_index, timestamp_s);
CREATE TABLE IF NOT EXISTS rejections (
  id INTEGER PRIMARY KEY,
  client_id TEXT,
  topic TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  payload BLOB NOT NULL,                 -- at most the first 1 KiB (REJECTED_PAYLOAD_PREFIX_BYTES)
  digest BLOB NOT NULL,                  -- first 8 bytes of sha256 of the whole payload, as readings.digest
  payload_length INTEGER,                -- the whole payload's length (NULL in run.dbs written before it)
  payload_sha256 BLOB                    -- sha256 of the whole payload (NULL likewise)
);
CREATE TABLE IF NOT EXISTS published (
  id INTEGER PRIMARY KEY,
  device_index INTEGER NOT NULL,
  digest BLOB NOT NULL,                  -- as readings.digest: what a device got a PUBACK for
  published_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
  epoch INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  status TEXT NOT NULL,                  -- proving | proven | settled | failed
  commitment TEXT,
  public_signals TEXT,                   -- JSON array of decimal strings
  prove_ms REAL,
  tx_hash TEXT,
  gas_used TEXT,
  settle_ms REAL,
  error TEXT,
  PRIMARY KEY (epoch, batch)
);
CREATE TABLE IF NOT EXISTS rewards (
  epoch INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  device_index INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  units TEXT NOT NULL,
  reward_wei TEXT NOT NULL,
  flagged INTEGER NOT NULL DEFAULT 0,   -- 1: a flagged reading among the K, the lane's flag bit (a stake policy slashes it)
  PRIMARY KEY (epoch, device_index)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS flags (
  epoch INTEGER NOT NULL,
  device_index INTEGER NOT NULL,
  flag TEXT NOT NULL,
  evidence TEXT NOT NULL,
  PRIMARY KEY (epoch, device_index, flag)
);
-- The prover's queue: a job is written when its epoch closes and marked settled once its
-- transaction is mined, so after a crash \`pinbench resume\` finds exactly the batches still owed.
CREATE TABLE IF NOT EXISTS proof_jobs (
  epoch INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  status TEXT NOT NULL,                  -- queued | settled | failed
  input TEXT NOT NULL,                   -- the circuit input (JSON): enough to prove again after a restart
  work TEXT NOT NULL,                    -- per-device rows for run.db's rewards once settled (JSON)
  closed_at_ms REAL NOT NULL,            -- wall clock at which the epoch close began, for close → mined
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  PRIMARY KEY (epoch, batch)
);
`;

/**
 * Lookups by digest, for the accounting of every acknowledged publish at the end of a run
 * (`RunStore.unaccountedPublishes`, `messagePopulations`): built then, in one sort, instead of being kept up to date
 * on every insert (about 3 s for 2.88 million readings here).
 */
export const ACCOUNTING_INDEXES_SQL = `
CREATE INDEX IF NOT EXISTS readings_digest ON readings (digest);
CREATE INDEX IF NOT EXISTS rejections_digest ON rejections (digest);
CREATE INDEX IF NOT EXISTS published_digest ON published (digest);
`;
