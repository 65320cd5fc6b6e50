// Public API of devices/: virtual Pebble trackers, their keys, motion and sensors
// (their wire format is protocol/'s).

export { deriveDeviceKey, publicKeyOf } from './crypto/keys.ts';
export type { DeviceKey } from './crypto/keys.ts';
export { signDigest, signDigestNoble, signReading } from './crypto/sign.ts';
export type { SigningKey } from './crypto/sign.ts';
export { addressOfPrivateKey, deriveOwnerAccount, toChecksumAddress } from './crypto/ethereum.ts';
export type { Hex, OwnerAccount } from './crypto/ethereum.ts';

export { createIdentityFactory, createImeiFactory, isValidImei, luhnCheckDigit } from './identity.ts';
export type { DeviceIdentity } from './identity.ts';
export type { Seed } from './derive.ts';
export { createRandom, forkRandom, seededRandom } from './random.ts';

export { BERLIN, localFrame } from './motion/area.ts';
export type { Area, LocalFrame } from './motion/area.ts';
export { DEFAULT_MOTION_MIX, MOTION_PROFILES, MOTION_PROFILE_NAMES } from './motion/motion-profiles.ts';
export type { MotionMix, MotionProfile, MotionProfileName } from './motion/motion-profiles.ts';
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
export type { Reading, ReadingOptions, ReadingSource } from './tracker/reading.ts';
export { DEFAULT_BATTERY, batteryMillivolts, chargeOf, createBatteryState, msUntilCharge, settleBattery, spendBattery } from './tracker/battery.ts';
export type { BatteryOptions, BatteryOptionsInput, BatteryState } from './tracker/battery.ts';
export { ReadingBuffer } from './tracker/buffer.ts';
export { Tracker } from './tracker/tracker.ts';
export type { LiveConfig, TrackerDeps } from './tracker/runtime.ts';
export { DEFAULT_TRACKER_OPTIONS, resolveTrackerOptions } from './tracker/options.ts';
export type { BulkUploadOptions, RegistrationMode, ResolvedTrackerOptions, TrackerOptions } from './tracker/options.ts';
export type {
  DeviceEventSink,
  HonestUpload,
  MqttConnectOptions,
  MqttConnector,
  MqttLink,
  PlannedPublish,
  Registrar,
  TrackerBehaviour,
} from './tracker/ports.ts';

export { buildFleet } from './fleet.ts';
export type { FleetOptions } from './fleet.ts';
export type { DeviceSpec } from './spec.ts';

export { CITY_NAMES, CITY_PRESETS, resolveArea } from './motion/cities.ts';
export type { AreaInput, BoundingBox, CityName } from './motion/cities.ts';
export { parseGeoJsonRoute, parseGpx, parseRoute, readRouteFile } from './motion/route-file.ts';
export type { Route } from './motion/route-file.ts';
export { createRouteMotion } from './motion/route-motion.ts';
export type { RouteEnd, RouteMotionOptions } from './motion/route-motion.ts';
export { withDropouts } from './motion/dropouts.ts';
export type { DropoutOptions } from './motion/dropouts.ts';
export { createMotion } from './motion/create.ts';
export type { MotionOptions } from './motion/create.ts';
export type { SensorModelOptions } from './sensors/sensors.ts';

export { ADVERSARY_NAMES, FAULT_NAMES, MOTION_NAMES, composeBehaviours, createBehaviour, parseAdversary, parseFault, parseMotionName, readProfile } from './behaviour-profiles.ts';
export type { AdversaryName, BehaviourOptions, DeviceBehaviour, FaultName, MotionName, ProfileReading } from './behaviour-profiles.ts';
export { ADVERSARY_SCHEMAS, FAULT_SCHEMAS, adversaryConfigSchema, faultConfigSchema } from './behaviours/schemas.ts';
export type { AdversaryConfig, AdversaryInput, FaultConfig, FaultInput, Range, SensorField } from './behaviours/schemas.ts';
export { PacketArchive } from './behaviours/archive.ts';
export type { ArchivedPacket } from './behaviours/archive.ts';
export { makeSybilClones } from './behaviours/sybil.ts';
export type { SybilOptions } from './behaviours/sybil.ts';
