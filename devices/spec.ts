import type { CurveName } from '../protocol/curves.ts';
import type { Hex } from './crypto/ethereum.ts';
import type { Area } from './motion/area.ts';
import type { MotionProfileName } from './motion/motion-profiles.ts';
import type { GeoPoint } from './motion/grid.ts';

/** Everything that defines one virtual device; `buildFleet` makes these deterministically. */
export interface DeviceSpec {
  /** 0-based position in the fleet. */
  readonly index: number;
  /** IMEI, used as device id, MQTT client id and username. */
  readonly id: string;
  readonly name: string;
  readonly ownerAddress: Hex;
  readonly ownerPrivateKey: Hex;
  readonly curve: CurveName;
  readonly privateKey: Uint8Array;
  /** 65 bytes uncompressed. */
  readonly publicKey: Uint8Array;
  /** MQTT password the broker checks for this device. */
  readonly password: string;
  readonly uploadPeriodS: number;
  readonly motion: MotionProfileName;
  readonly area: Area;
  /** A point on a street inside `area`. */
  readonly start: GeoPoint;
  /** This device's battery, overriding the tracker options' (capacity in mAh, charge at power-on in (0, 1]). */
  readonly battery?: { readonly capacityMah?: number; readonly initialCharge?: number };
}
