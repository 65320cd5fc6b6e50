import { randomBytes } from 'node:crypto';
import { PackageType, encodeBinPackage } from '../../protocol/codec/bin-package.ts';
import { encodeSensorData, type SensorData } from '../../protocol/codec/sensor-data.ts';
import { signReading, type SigningKey } from '../../devices/crypto/sign.ts';
import type { NmeaFix } from './nmea.ts';

export interface BridgeReading {
  /** The signed DATA BinPackage, as published. */
  readonly payload: Uint8Array;
  readonly data: SensorData;
  readonly timestampS: number;
}

/** 8 random bytes as 16 hex digits, the firmware's `random` field; from the OS, never seeded. */
export function freshRandomHex(): string {
  return randomBytes(8).toString('hex');
}

/**
 * A reading of a GPS-only device: the position from the fix, the firmware's per-reading random,
 * and every sensor the receiver does not have at 0 or empty, so the fields keep their meaning
 * (a made-up temperature would look like a real one to the backend).
 */
export function buildBridgeReading(key: SigningKey, fix: NmeaFix, timestampS: number, random: string = freshRandomHex()): BridgeReading {
  const data: SensorData = {
    snr: 0,
    vbat: 0,
    latitude: fix.latitudeE7,
    longitude: fix.longitudeE7,
    gasResistance: 0,
    temperature: 0,
    pressure: 0,
    humidity: 0,
    light: 0,
    temperature2: 0,
    gyroscope: [],
    accelerometer: [],
    random,
  };
  const dataBytes = encodeSensorData(data);
  const signature = signReading(key, PackageType.DATA, dataBytes, timestampS);
  return { payload: encodeBinPackage({ type: PackageType.DATA, data: dataBytes, timestamp: timestampS, signature }), data, timestampS };
}
