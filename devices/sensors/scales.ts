/**
 * Fixed-point scales of the Pebble `SensorData` fields: encoded value = physical value × scale.
 * They follow the firmware's protobuf path (`SensorPackage`: ×100 for snr, gas, temperature,
 * pressure, humidity, light; ×1e7 for coordinates), except vbat, which pinbench sends in mV as
 * the Pebble data spec shows it (`"vbat": 4167`). Accelerometer and gyroscope are raw ICM-42605
 * counts at ±4 g and ±2000 °/s.
 */
export const SENSOR_SCALES = {
  snr: { unit: 'dB', scale: 100 },
  vbat: { unit: 'mV', scale: 1 },
  latitude: { unit: 'deg', scale: 1e7 },
  longitude: { unit: 'deg', scale: 1e7 },
  gasResistance: { unit: 'ohm', scale: 100 },
  temperature: { unit: 'degC', scale: 100 },
  pressure: { unit: 'hPa', scale: 100 },
  humidity: { unit: '%RH', scale: 100 },
  light: { unit: 'lx', scale: 100 },
  temperature2: { unit: 'degC', scale: 100 },
  gyroscope: { unit: 'deg/s', scale: 16.4 },
  accelerometer: { unit: 'g', scale: 8192 },
} as const;

/**
 * Encoded bounds a real device can produce: the sensors' operating ranges (BME680: −40…85 °C,
 * 0…100 %RH, 300…1100 hPa; TSL2572 up to ~60 klx), a Li-ion cell's 3.0–4.25 V, int16 IMU counts.
 * An ingest can reject readings outside them as implausible.
 */
export const SENSOR_LIMITS = {
  snr: [0, 4_000],
  vbat: [3_000, 4_250],
  gasResistance: [0, 1_000_000_000],
  temperature: [-4_000, 8_500],
  pressure: [30_000, 110_000],
  humidity: [0, 10_000],
  light: [0, 6_000_000],
  temperature2: [0, 8_500],
  gyroscope: [-32_768, 32_767],
  accelerometer: [-32_768, 32_767],
} as const satisfies Record<string, readonly [number, number]>;
