import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import { CURVE_NAMES, type CurveName } from '../../protocol/curves.ts';
import { DEFAULT_ATTACHED_UPLOAD_PERIOD_S, type AttachedDevice } from './attached-device.ts';

/**
 * The devices `pinbench device add` provisioned, one JSON file each under
 * `<PINBENCH_HOME>/devices/`: what a backend keeps of a device between runs (its login, key,
 * owner). A run takes the ones it is asked for (`--attach`, `--wait-for`).
 */
interface BookEntry {
  deviceId: string;
  publicKey: string;
  curve: CurveName;
  owner: string;
  password: string;
  uploadPeriodS: number;
  registration: 'registrar' | 'confirm';
  addedAt: string;
}

export const deviceBookDir = (home: string): string => join(home, 'devices');
const entryPath = (home: string, deviceId: string) => join(deviceBookDir(home), `${deviceId}.json`);

function toDevice(entry: BookEntry): AttachedDevice {
  return {
    deviceId: entry.deviceId,
    publicKey: new Uint8Array(Buffer.from(entry.publicKey, 'hex')),
    curve: entry.curve,
    owner: entry.owner,
    password: entry.password,
    uploadPeriodS: entry.uploadPeriodS,
    registration: entry.registration,
    source: 'device add',
  };
}

/**
 * Adds a device, or returns the one added before when it has the same key and owner (its
 * password stays, so a board configured once keeps working); its upload period and registration
 * mode, which are the backend's settings for it, take the new values (`updated`). A different key
 * or owner for the same IMEI is refused rather than silently replaced.
 */
export function addToBook(
  home: string,
  device: { deviceId: string; publicKey: Uint8Array; curve: CurveName; owner: string; uploadPeriodS?: number; registration?: 'registrar' | 'confirm' },
  now: Date = new Date(),
): { device: AttachedDevice; added: boolean; updated: boolean; path: string } {
  const path = entryPath(home, device.deviceId);
  const publicKey = Buffer.from(device.publicKey).toString('hex');
  if (existsSync(path)) {
    const old = readEntry(home, device.deviceId);
    if (old.publicKey !== publicKey || old.owner !== device.owner) {
      throw new PinbenchError('DEVICE_ALREADY_ADDED', `device ${device.deviceId} was added before with another ${old.publicKey !== publicKey ? 'public key' : 'owner'}; delete ${path} to provision it again`, {
        details: { deviceId: device.deviceId, path },
      });
    }
    const settings = { uploadPeriodS: device.uploadPeriodS ?? old.uploadPeriodS, registration: device.registration ?? old.registration };
    if (settings.uploadPeriodS === old.uploadPeriodS && settings.registration === old.registration) return { device: toDevice(old), added: false, updated: false, path };
    const entry = { ...old, ...settings };
    writeFileSync(path, JSON.stringify(entry, null, 2) + '\n', { mode: 0o600 });
    return { device: toDevice(entry), added: false, updated: true, path };
  }
  const entry: BookEntry = {
    deviceId: device.deviceId,
    publicKey,
    curve: device.curve,
    owner: device.owner,
    password: randomBytes(18).toString('base64url'),
    uploadPeriodS: device.uploadPeriodS ?? DEFAULT_ATTACHED_UPLOAD_PERIOD_S,
    registration: device.registration ?? 'registrar',
    addedAt: now.toISOString(),
  };
  mkdirSync(deviceBookDir(home), { recursive: true });
  writeFileSync(path, JSON.stringify(entry, null, 2) + '\n', { mode: 0o600 });
  return { device: toDevice(entry), added: true, updated: false, path };
}

function readEntry(home: string, deviceId: string): BookEntry {
  const path = entryPath(home, deviceId);
  let raw: Partial<BookEntry>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<BookEntry>;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PinbenchError('DEVICE_NOT_ADDED', `device ${deviceId} was never added (no ${path}); add it with \`pinbench device add --id ${deviceId} --pubkey <pem|hex> --owner <address>\``, {
        details: { deviceId, path },
      });
    }
    throw new PinbenchError('DEVICE_BOOK_DAMAGED', `${path}: not readable JSON (${(cause as Error).message}); delete it and add the device again`, { details: { path } });
  }
  const ok =
    raw.deviceId === deviceId && typeof raw.publicKey === 'string' && CURVE_NAMES.includes(raw.curve as CurveName) &&
    typeof raw.owner === 'string' && typeof raw.password === 'string' && typeof raw.uploadPeriodS === 'number' &&
    (raw.registration === 'registrar' || raw.registration === 'confirm');
  if (!ok) throw new PinbenchError('DEVICE_BOOK_DAMAGED', `${path}: fields missing or wrong; delete it and add the device again`, { details: { path } });
  return raw as BookEntry;
}

/** The device `pinbench device add` provisioned under this IMEI. */
export function readFromBook(home: string, deviceId: string): AttachedDevice {
  return toDevice(readEntry(home, deviceId));
}
