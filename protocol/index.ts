// Public API of protocol/: only what a device and a backend must agree on — the Pebble v2 wire
// format, the signed bytes and their check, the topic layout and its ACL rule.

export { PackageType, SIGNATURE_BYTES, decodeBinPackage, encodeBinPackage, writeBinPackage } from './codec/bin-package.ts';
export type { BinPackage } from './codec/bin-package.ts';
export { decodeSensorData, encodeSensorData, writeSensorData } from './codec/sensor-data.ts';
export type { DecodedSensorData, SensorData } from './codec/sensor-data.ts';
export { signedDigest, signedMessage } from './codec/digest.ts';
export { decodeSensorConfig, encodeSensorConfig, writeSensorConfig } from './codec/sensor-config.ts';
export type { SensorConfig } from './codec/sensor-config.ts';
export { ALL_DATA_CHANNELS, DataChannel, maskSensorData } from './codec/data-channel.ts';
export {
  OWNER_BYTES,
  confirmDigest,
  confirmMessage,
  decodeConfirmPackage,
  encodeConfirmPackage,
  ownerBytes,
  writeConfirmPackage,
} from './codec/confirm-package.ts';
export type { ConfirmPackage } from './codec/confirm-package.ts';
export { RegistrationStatus, compareVersions, decodeStatusPackage, encodeStatusPackage } from './codec/status-package.ts';
export type { StatusPackage } from './codec/status-package.ts';
export { ProtoWriter } from './codec/writer.ts';
export type { DecodeReason } from './codec/wire.ts';
export { CURVE_NAMES } from './curves.ts';
export type { CurveName } from './curves.ts';
export { createVerifier } from './verify.ts';
export type { ReadingVerifier } from './verify.ts';
export { payloadDigest } from './payload-digest.ts';
export * as topics from './topics.ts';
export { DEFAULT_TOPICS, DEFAULT_TOPIC_TEMPLATES, topicLayout, filterMatches } from './topics.ts';
export type { TopicLayout, TopicTemplates } from './topics.ts';
export { deviceIdOfClientId, firmwareClientId } from './client-ids.ts';
