import { mkdtempSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/ports.ts';
import { isPinbenchError } from '../../core/errors.ts';
import { DEFAULT_TOPIC_TEMPLATES } from '../../protocol/topics.ts';
import { CAPTURE_FORMAT_VERSION, type CapturedDevice } from '../../sim/capture/capture-format.ts';
import { CaptureWriter } from '../../sim/capture/capture-writer.ts';
import { openCapture } from '../../sim/capture/capture-reader.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'pinbench-capture-'));

const device: CapturedDevice = {
  deviceId: '350000000000001',
  publicKey: new Uint8Array(65).fill(4),
  curve: 'p256',
  owner: '0x00000000000000000000000000000000000000aA',
  uploadPeriodS: 10,
};

function writer(path: string, devices: readonly CapturedDevice[] = [device]): CaptureWriter {
  return new CaptureWriter(
    path,
    {
      formatVersion: CAPTURE_FORMAT_VERSION,
      scenarioName: 'unit',
      seed: 7,
      scenario: { name: 'unit', seed: 7 },
      topics: DEFAULT_TOPIC_TEMPLATES,
      maxClockSkewS: 300,
      timeMode: 'accelerated',
      fleetSize: 1,
      recordedAt: '2026-01-01T00:00:00.000Z',
    },
    (id) => devices.find((d) => d.deviceId === id),
    silentLogger,
  );
}

const publish = (i: number) => ({
  deviceId: device.deviceId,
  clientId: device.deviceId,
  topic: `device/${device.deviceId}/data`,
  payload: new Uint8Array([i, i + 1, i + 2]),
  backendMs: 1_767_225_600_000 + i * 1000,
  wallMs: 5000 + i,
});

function unreadable(path: string): string {
  try {
    openCapture(path).close();
  } catch (error) {
    if (isPinbenchError(error, 'CAPTURE_UNREADABLE')) return error.message;
    throw error;
  }
  throw new Error(`${path} opened`);
}

describe('capture file', () => {
  it('behavior: what was appended reads back in order, with the device records and the meta', () => {
    const path = join(dir(), 'capture.db');
    const w = writer(path);
    for (let i = 0; i < 5; i++) w.append(publish(i));
    w.describeCalendar({ startS: 1_767_225_600, lengthS: 60, count: 2 });
    w.finish();
    w.close();
    const capture = openCapture(path);
    expect(capture.meta).toMatchObject({ scenarioName: 'unit', seed: 7, calendar: { startS: 1_767_225_600, lengthS: 60, count: 2 }, complete: true, fleetSize: 1 });
    expect(capture.meta.topics).toEqual(DEFAULT_TOPIC_TEMPLATES);
    expect(capture.devices).toEqual([device]);
    expect(capture.publishCount).toBe(5);
    const first = capture.publishes(0, 3);
    expect(first.map((p) => [...p.payload])).toEqual([[0, 1, 2], [1, 2, 3], [2, 3, 4]]);
    expect(first[1]).toMatchObject({ backendMs: 1_767_225_601_000, wallMs: 5001, topic: `device/${device.deviceId}/data` });
    expect(capture.publishes(first[2]!.seq, 10)).toHaveLength(2);
    capture.close();
  });

  it('behavior: a capture whose run never finished opens, says so, and holds what was flushed', () => {
    const path = join(dir(), 'capture.db');
    const w = writer(path);
    w.describeCalendar({ startS: 1_767_225_600, lengthS: 60, count: 2 });
    w.append(publish(0));
    w.close();
    const capture = openCapture(path);
    expect(capture.meta.complete).toBe(false);
    expect(capture.publishCount).toBe(1);
    capture.close();
  });

  it('behavior: a capture of a run killed mid-write (its -wal beside it) reads what was committed', () => {
    const path = join(dir(), 'capture.db');
    const w = writer(path);
    w.describeCalendar({ startS: 1_767_225_600, lengthS: 60, count: 2 });
    w.append(publish(0));
    w.flush();
    // No close: the process "died" with the write-ahead log not folded in.
    const capture = openCapture(path);
    expect(capture.meta.complete).toBe(false);
    expect(capture.publishCount).toBe(1);
    capture.close();
    w.close();
  });

  it('error path: a capture truncated to half its size is one CAPTURE_UNREADABLE line naming the file and what to do', () => {
    const path = join(dir(), 'capture.db');
    const w = writer(path);
    w.describeCalendar({ startS: 1_767_225_600, lengthS: 60, count: 2 });
    for (let i = 0; i < 3000; i++) w.append({ ...publish(i % 200), payload: new Uint8Array(120).fill(i % 256) });
    w.finish();
    w.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const message = unreadable(path);
    expect(message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the capture is truncated or damaged \\(.+\\); record it again with \`pinbench run --record\`$`));
    expect(message.split('\n')).toHaveLength(1);
  });

  it('error path: a file that is no capture (text, another SQLite file, nothing) gives the same code', () => {
    const folder = dir();
    const text = join(folder, 'notes.db');
    writeFileSync(text, 'these are not the readings you are looking for\n'.repeat(100));
    expect(unreadable(text)).toMatch(/notes\.db: not a pinbench capture \(file is not a database\); give the capture\.db of a run recorded with `pinbench run --record`$/);
    const other = join(folder, 'run.db');
    const db = new Database(other);
    db.exec('CREATE TABLE readings (x)');
    db.close();
    expect(unreadable(other)).toMatch(/run\.db: not a pinbench capture \(no meta table\)/);
    expect(unreadable(join(folder, 'missing.db'))).toMatch(/missing\.db: not a pinbench capture \(no such file\)/);
    const empty = join(folder, 'empty.db');
    writeFileSync(empty, '');
    expect(unreadable(empty)).toMatch(/empty\.db: the capture is truncated or damaged \(the file is empty\)/);
  });

  it('error path: a recording that stopped before its epochs began has no calendar to replay against', () => {
    const path = join(dir(), 'capture.db');
    writer(path).close();
    expect(unreadable(path)).toMatch(/stopped before its epochs began/);
  });
});
