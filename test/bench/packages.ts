import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { deriveDeviceKey } from '../../devices/index.ts';
import { encodeBinPackage, encodeSensorData, PackageType, signedMessage } from '../../protocol/index.ts';

/**
 * Pre-signed Pebble packages for the benchmark, so signing is not on the load side: device d's
 * package k carries timestamp t0S + k (distinct and increasing, as the replay check wants).
 * File layout: uint32 LE devices, uint32 LE perDevice, uint32 LE t0S, then
 * (devices·perDevice + 1) uint32 LE offsets, then the packages back to back.
 */
export interface PackageSet {
  devices: number;
  perDevice: number;
  t0S: number;
  /** Package k of device d: a view, no copy. */
  get(d: number, k: number): Buffer;
}

export const BENCH_SEED = 'pinbench-bench';

export const benchDeviceId = (d: number): string => `bench${String(d).padStart(6, '0')}`;
export const benchPassword = (d: number): string => `pw-${d}`;

function signingKey(d: number): KeyObject {
  const key = deriveDeviceKey(BENCH_SEED, d);
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  return createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: b64(key.privateKey), x: b64(key.publicKey.subarray(1, 33)), y: b64(key.publicKey.subarray(33, 65)) },
    format: 'jwk',
  });
}

/** Signs with OpenSSL (several times faster than noble), which is all the bench needs. */
export function writePackages(file: string, devices: number, perDevice: number, t0S: number): void {
  const total = devices * perDevice;
  const chunks: Buffer[] = [];
  const offsets = new Uint32Array(total + 1);
  let at = 0;
  for (let d = 0; d < devices; d++) {
    const key = { key: signingKey(d), dsaEncoding: 'ieee-p1363' } as const;
    for (let k = 0; k < perDevice; k++) {
      const timestamp = t0S + k;
      // A reading in Berlin with every SensorData field set, as a Pebble sends it.
      const data = encodeSensorData({
        snr: 20 + (k % 7),
        vbat: 4100 - (k % 300),
        latitude: 525_200_000 + ((d * 7919 + k * 13) % 200_000),
        longitude: 134_050_000 + ((d * 104_729 + k * 17) % 300_000),
        gasResistance: 120_000 + (k % 1000),
        temperature: 2150 + (k % 50),
        pressure: 101_325 + (k % 100),
        humidity: 4500 + (k % 200),
        light: 300 + (k % 100),
        temperature2: 2200 + (k % 40),
        gyroscope: [k % 50, -(k % 30), 3],
        accelerometer: [12, -(k % 40), 981],
        random: (d * 1_000_003 + k).toString(16).padStart(18, '0'),
      });
      const signature = sign('sha256', signedMessage(PackageType.DATA, data, timestamp), key);
      const pkg = Buffer.from(encodeBinPackage({ type: PackageType.DATA, data, timestamp, signature }));
      chunks.push(pkg);
      offsets[d * perDevice + k] = at;
      at += pkg.length;
    }
  }
  offsets[total] = at;
  const header = Buffer.alloc(12);
  header.writeUInt32LE(devices, 0);
  header.writeUInt32LE(perDevice, 4);
  header.writeUInt32LE(t0S, 8);
  writeFileSync(file, Buffer.concat([header, Buffer.from(offsets.buffer), ...chunks]));
}

export function readPackages(file: string): PackageSet {
  const bytes = readFileSync(file);
  const devices = bytes.readUInt32LE(0);
  const perDevice = bytes.readUInt32LE(4);
  const t0S = bytes.readUInt32LE(8);
  const total = devices * perDevice;
  const offsets = new Uint32Array(total + 1);
  Buffer.from(offsets.buffer).set(bytes.subarray(12, 12 + 4 * (total + 1)));
  const base = 12 + 4 * (total + 1);
  return {
    devices,
    perDevice,
    t0S,
    get(d, k) {
      const i = d * perDevice + k;
      return bytes.subarray(base + offsets[i]!, base + offsets[i + 1]!);
    },
  };
}
