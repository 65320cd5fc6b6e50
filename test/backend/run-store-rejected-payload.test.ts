import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { REJECTED_PAYLOAD_PREFIX_BYTES } from '../../backend/store/rejected-payload.ts';
import { RunStore } from '../../backend/store/run-store.ts';

const dirs: string[] = [];
const freshDb = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-rejected-'));
  dirs.push(dir);
  return join(dir, 'run.db');
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const rejection = (payload: Buffer) => ({ clientId: '350000000000001', topic: 'device/350000000000001/data', reason: 'decode', detail: 'x', receivedMs: 1, payload, digest: createHash('sha256').update(payload).digest().subarray(0, 8) });

describe('run.db keeps a bounded prefix of a rejected payload', () => {
  it('stores at most 1 KiB, with the full length and sha256', () => {
    const file = freshDb();
    const store = new RunStore(file);
    const big = Buffer.alloc(1_000_000, 9);
    store.addRejection(rejection(big));
    store.close();
    const row = new Database(file).prepare('SELECT payload, payload_length, payload_sha256 FROM rejections').get() as { payload: Buffer; payload_length: number; payload_sha256: Buffer };
    expect(REJECTED_PAYLOAD_PREFIX_BYTES).toBe(1024);
    expect(row.payload).toEqual(big.subarray(0, 1024));
    expect(row.payload_length).toBe(1_000_000);
    expect(row.payload_sha256).toEqual(createHash('sha256').update(big).digest());
  });

  it('adds the columns to a run.db written before them, keeping its rows', () => {
    const file = freshDb();
    const old = new Database(file);
    old.exec('CREATE TABLE rejections (id INTEGER PRIMARY KEY, client_id TEXT, topic TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL, received_ms INTEGER NOT NULL, payload BLOB NOT NULL, digest BLOB NOT NULL)');
    old.prepare("INSERT INTO rejections (topic, reason, detail, received_ms, payload, digest) VALUES ('t', 'decode', 'd', 1, x'01', x'02')").run();
    old.close();
    const store = new RunStore(file);
    store.addRejection(rejection(Buffer.from([1, 2, 3])));
    store.close();
    const rows = new Database(file).prepare('SELECT payload_length FROM rejections ORDER BY id').all();
    expect(rows).toEqual([{ payload_length: null }, { payload_length: 3 }]);
  });
});
