import { decodeError, encodeError } from './wire.ts';

/**
 * The `backend/<id>/status` downlink. The Pebble firmware reads it as JSON (devReg.c,
 * `iotex_mqtt_get_wallet`): `status` 1 carries an owner proposal in `proposer`, 2 means the
 * device is registered; `firmware` (app name), `version` and `uri` offer a firmware update.
 * pinbench keeps those names and adds its own: `status` 3 (registration refused, with `reason`)
 * and `size` (firmware image bytes, which set the download time).
 */
export const RegistrationStatus = { NONE: 0, PROPOSED: 1, REGISTERED: 2, REFUSED: 3 } as const;
export type RegistrationStatus = (typeof RegistrationStatus)[keyof typeof RegistrationStatus];

export interface StatusPackage {
  status: RegistrationStatus;
  /** The proposed owner, `0x…`, with status 1. */
  proposer?: string | undefined;
  /** Why registration was refused, with status 3 (pinbench). */
  reason?: string | undefined;
  /** Firmware application name of the offer. */
  firmware?: string | undefined;
  /** Offered firmware version, e.g. "1.0.3". */
  version?: string | undefined;
  uri?: string | undefined;
  /** Offered image size in bytes (pinbench). */
  size?: number | undefined;
}

const MESSAGE = 'StatusPackage';
const STATUSES: readonly number[] = Object.values(RegistrationStatus);

export function encodeStatusPackage(pkg: StatusPackage): Uint8Array {
  if (!STATUSES.includes(pkg.status)) {
    throw encodeError(MESSAGE, `status must be one of ${STATUSES.join(', ')}, got ${pkg.status}`, { value: pkg.status });
  }
  if (pkg.size !== undefined && !(Number.isSafeInteger(pkg.size) && pkg.size >= 0)) {
    throw encodeError(MESSAGE, `size must be a whole number of bytes, got ${pkg.size}`, { value: pkg.size });
  }
  return new TextEncoder().encode(JSON.stringify(pkg));
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes untrusted bytes; throws only `CODEC_DECODE_FAILED` PinbenchErrors; unknown keys are ignored. */
export function decodeStatusPackage(bytes: Uint8Array): StatusPackage {
  let value: unknown;
  try {
    value = JSON.parse(textDecoder.decode(bytes));
  } catch {
    throw decodeError(MESSAGE, 'invalid-json', 'not a UTF-8 JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw decodeError(MESSAGE, 'invalid-json', 'not a JSON object');
  const o = value as Record<string, unknown>;
  if (!STATUSES.includes(o.status as number)) {
    throw decodeError(MESSAGE, 'invalid-value', `status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(o.status)}`, { field: 'status' });
  }
  const text = (key: string): string | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw decodeError(MESSAGE, 'invalid-value', `${key} must be a string, got ${JSON.stringify(v)}`, { field: key });
    return v;
  };
  const size = o.size;
  if (size !== undefined && !(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0)) {
    throw decodeError(MESSAGE, 'invalid-value', `size must be a whole number of bytes, got ${JSON.stringify(size)}`, { field: 'size' });
  }
  const out: StatusPackage = { status: o.status as RegistrationStatus };
  for (const key of ['proposer', 'reason', 'firmware', 'version', 'uri'] as const) {
    const v = text(key);
    if (v !== undefined) out[key] = v;
  }
  if (size !== undefined) out.size = size;
  return out;
}

/** Semantic-version comparison of dotted numeric versions ("1.10.0" > "1.9.2"); like the firmware's `compareVersion`. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
