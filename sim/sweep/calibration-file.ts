import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import { COLUMN_TYPES, type Calibration, type RecordColumns } from './calibration.ts';

/** Bumped whenever a record's meaning or the file's layout changes: older files then miss. */
// 3: cells are those of the counted readings, as a run's coverage pays them (were: every accepted reading).
// 4: a flaggedReadings column (flagged among the K selected), so fast mode penalizes and slashes a
//    single reading flagLargeJumps flagged; a format-3 file lacks it and is recomputed.
export const CALIBRATION_FORMAT = 4;

type ColumnName = keyof RecordColumns;

/**
 * One JSON file: the calibration's description and statistics as JSON, each typed-array column
 * as base64 of its little-endian bytes (a few MB for 1,000 devices × a few epochs).
 */
export function writeCalibrationFile(path: string, calibration: Calibration): void {
  const columns: Record<string, string> = {};
  for (const name of Object.keys(COLUMN_TYPES) as ColumnName[]) {
    const a = calibration.records[name];
    columns[name] = Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  }
  mkdirSync(dirname(path), { recursive: true });
  // Written aside and renamed: a sweep started meanwhile never reads half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ format: CALIBRATION_FORMAT, ...calibration, records: columns }));
  renameSync(tmp, path);
}

/** The calibration in `path`, or undefined when there is none or it has another key or format. */
export function readCalibrationFile(path: string, key: string): Calibration | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let raw: Calibration & { format?: number; records: Record<string, string> };
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new PinbenchError('SWEEP_CALIBRATION_INVALID', `calibration file ${path} is not valid JSON; delete it and calibrate again`, { cause });
  }
  if (raw.format !== CALIBRATION_FORMAT || raw.key !== key) return undefined;
  const records = {} as Record<ColumnName, unknown>;
  for (const name of Object.keys(COLUMN_TYPES) as ColumnName[]) {
    const b64 = raw.records[name];
    if (typeof b64 !== 'string') throw new PinbenchError('SWEEP_CALIBRATION_INVALID', `calibration file ${path} lacks column ${name}; delete it and calibrate again`);
    const bytes = Buffer.from(b64, 'base64');
    const Type = COLUMN_TYPES[name];
    // Copied into a fresh buffer: the column must start on its element size.
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    records[name] = new Type(copy.buffer, 0, bytes.byteLength / Type.BYTES_PER_ELEMENT);
  }
  const { format: _format, ...rest } = raw;
  return { ...rest, records: records as unknown as RecordColumns };
}
