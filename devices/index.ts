// Public API of devices/: virtual Pebble trackers, their wire format, keys, motion and sensors.

export { PackageType, SIGNATURE_BYTES, decodeBinPackage, encodeBinPackage, writeBinPackage } from './codec/bin-package.ts';
export type { BinPackage } from './codec/bin-package.ts';
export { decodeSensorData, encodeSensorData, writeSensorData } from './codec/sensor-data.ts';
export type { DecodedSensorData, SensorData } from './codec/sensor-data.ts';
export { signedDigest, signedMessage } from './codec/digest.ts';
export { ProtoWriter } from './codec/writer.ts';
export type { DecodeReason } from './codec/wire.ts';

export { CURVE_NAMES } from './crypto/curves.ts';
export type { CurveName } from './crypto/curves.ts';
export { deriveDeviceKey, publicKeyOf } from './crypto/keys.ts';
export type { DeviceKey } from './crypto/keys.ts';
export { signDigest, signReading } from './crypto/sign.ts';
export type { SigningKey } from './crypto/sign.ts';
export { createVerifier } from './crypto/verify.ts';
export type { ReadingVerifier } from './crypto/verify.ts';
export { addressOfPrivateKey, deriveOwnerAccount, toChecksumAddress } from './crypto/ethereum.ts';
export type { Hex, OwnerAccount } from './crypto/ethereum.ts';

export { createIdentityFactory, createImeiFactory, isValidImei, luhnCheckDigit } from './identity.ts';
export type { DeviceIdentity } from './identity.ts';
export type { Seed } from './derive.ts';
export { createRandom, forkRandom, seededRandom } from './random.ts';

export { BERLIN, localFrame } from './motion/area.ts';
export type { Area, LocalFrame } from './motion/area.ts';
export { DEFAULT_MOTION_MIX, MOTION_PROFILES, MOTION_PROFILE_NAMES } from './motion/profiles.ts';
export type { MotionMix, MotionProfile, MotionProfileName } from './motion/profiles.ts';
export { DEFAULT_BLOCK_M, snapToStreets } from './motion/grid.ts';
export type { GeoPoint } from './motion/grid.ts';
export type { Fix, MotionModel } from './motion/model.ts';
export { DEFAULT_GPS_NOISE_M, createStreetGridMotion } from './motion/street-grid.ts';
export type { StreetGridOptions } from './motion/street-grid.ts';

export { createSensorModel } from './sensors/sensors.ts';
export type { SensorModel } from './sensors/sensors.ts';
export { SENSOR_LIMITS, SENSOR_SCALES } from './sensors/scales.ts';
export { weatherAt } from './sensors/weather.ts';
export type { Weather } from './sensors/weather.ts';

export { createTrackerMachine, trackerMachineConfig } from './tracker/machine.ts';
export type { TrackerEvent, TrackerEventType, TrackerState } from './tracker/machine.ts';
export { DEFAULT_BACKOFF, backoffDelayMs } from './tracker/backoff.ts';
export type { BackoffOptions } from './tracker/backoff.ts';
export { buildReading } from './tracker/reading.ts';
export type { Reading, ReadingSource } from './tracker/reading.ts';
export { Tracker } from './tracker/tracker.ts';
export type { TrackerDeps } from './tracker/runtime.ts';
export { DEFAULT_TRACKER_OPTIONS, resolveTrackerOptions } from './tracker/options.ts';
export type { ResolvedTrackerOptions, TrackerOptions } from './tracker/options.ts';
export type { DeviceEventSink, MqttConnectOptions, MqttConnector, MqttLink, Registrar } from './tracker/ports.ts';

export { buildFleet } from './fleet.ts';
export type { FleetOptions } from './fleet.ts';
export type { DeviceSpec } from './spec.ts';
