import { PackageType, encodeBinPackage } from '../codec/bin-package.ts';
import { writeSensorData, type SensorData } from '../codec/sensor-data.ts';
import { ProtoWriter } from '../codec/writer.ts';
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

const dataWriter = new ProtoWriter(128);

/**
 * Samples motion and sensors at `tMs` and returns the signed DATA BinPackage. A plain function,
 * so a fast mode without broker can produce the same bytes as a full run.
 */
export function buildReading(source: ReadingSource, tMs: number): Reading {
  const fix = source.motion.sample(tMs);
  const data = source.sensors.sample(tMs, fix);
  writeSensorData(dataWriter.reset(), data);
  const dataBytes = dataWriter.view();
  const timestampS = Math.floor(tMs / 1000);
  const signature = signReading(source.key, PackageType.DATA, dataBytes, timestampS);
  const payload = encodeBinPackage({ type: PackageType.DATA, data: dataBytes, timestamp: timestampS, signature });
  return { payload, timestampS, data, fix };
}
