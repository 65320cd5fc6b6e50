import { PackageType, encodeBinPackage } from '../../protocol/codec/bin-package.ts';
import { maskSensorData } from '../../protocol/codec/data-channel.ts';
import { writeSensorData, type SensorData } from '../../protocol/codec/sensor-data.ts';
import { ProtoWriter } from '../../protocol/codec/writer.ts';
import { signReading, type SigningKey } from '../crypto/sign.ts';
import type { Fix, MotionModel } from '../motion/model.ts';
import type { SensorModel } from '../sensors/sensors.ts';

/** What a device needs to produce signed readings. */
export interface ReadingSource {
  readonly key: SigningKey;
  readonly motion: MotionModel;
  readonly sensors: SensorModel;
}

export interface Reading {
  /** The BinPackage bytes to publish. */
  readonly payload: Uint8Array;
  readonly timestampS: number;
  readonly data: SensorData;
  readonly fix: Fix;
}

/** How the device shapes a reading beyond the raw samples. */
export interface ReadingOptions {
  /** The device clock's time, stamped into the package; default `tMs` (a skewed clock differs). */
  readonly stampMs?: number;
  /** `SensorConfig.dataChannel` mask: fields not selected are left out. */
  readonly dataChannel?: number;
  /** Battery voltage from the tracker's battery model, replacing the sensor model's. */
  readonly vbatMv?: number;
}

const dataWriter = new ProtoWriter(128);

/**
 * Samples motion and sensors at `tMs` and returns the signed DATA BinPackage. A plain function,
 * so a fast mode without broker can produce the same bytes as a full run.
 */
export function buildReading(source: ReadingSource, tMs: number, options: ReadingOptions = {}): Reading {
  const fix = source.motion.sample(tMs);
  let data = source.sensors.sample(tMs, fix);
  if (options.vbatMv !== undefined) data = { ...data, vbat: options.vbatMv };
  if (options.dataChannel !== undefined) data = maskSensorData(data, options.dataChannel);
  writeSensorData(dataWriter.reset(), data);
  const dataBytes = dataWriter.view();
  const timestampS = Math.floor((options.stampMs ?? tMs) / 1000);
  const signature = signReading(source.key, PackageType.DATA, dataBytes, timestampS);
  const payload = encodeBinPackage({ type: PackageType.DATA, data: dataBytes, timestamp: timestampS, signature });
  return { payload, timestampS, data, fix };
}
