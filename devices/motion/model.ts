/** A GPS fix at one instant. */
export interface Fix {
  /** Reported position in degrees: true position plus GPS noise, kept inside the area. */
  readonly latitude: number;
  readonly longitude: number;
  /** Where the device really is (ground truth for reports and cheat detection). */
  readonly trueLatitude: number;
  readonly trueLongitude: number;
  readonly speedMps: number;
  /** Compass heading: 0 north, 90 east. */
  readonly headingDeg: number;
  readonly moving: boolean;
  /** Distance travelled since the model started. */
  readonly odometerM: number;
  /**
   * False while the receiver has no fix (tunnel, urban canyon, cold start): the reading then
   * omits latitude and longitude. Absent means true. `latitude`/`longitude` still hold the last
   * estimate so that sensors (weather by place) keep working.
   */
  readonly hasFix?: boolean;
}

/** Where a device is at a simulated time. Other models (routes, replays, spoofers) implement this too. */
export interface MotionModel {
  /** What kind of movement this is, for reports: a profile name such as 'walk', or a model's own label. */
  readonly profile: string;
  /** Samples at `tMs`; times must not go backwards (an earlier time returns the latest state). */
  sample(tMs: number): Fix;
}
