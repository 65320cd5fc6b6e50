import type { SensorData } from './sensor-data.ts';

/**
 * `SensorConfig.dataChannel` bits, as the firmware's `iotex_data_channel` enum; a channel is on
 * when all its bits are set (`IOTEX_DATA_CHANNEL_IS_SET`). `random` is always sent.
 */
export const DataChannel = {
  GPS: 0x1,
  SNR: 0x2,
  VBAT: 0x4,
  GAS: 0x10,
  TEMP: 0x20,
  PRESSURE: 0x40,
  HUMIDITY: 0x80,
  TEMP2: 0x100,
  GYROSCOPE: 0x200,
  ACCELEROMETER: 0x400,
  LIGHT_SENSOR: 0x1000,
} as const;

/** Every channel a Pebble has: the default mask. */
export const ALL_DATA_CHANNELS = Object.values(DataChannel).reduce((mask, bit) => mask | bit, 0);

const isSet = (mask: number, bits: number): boolean => (mask & bits) === bits;

/** The fields of `data` that `mask` selects; the rest are left out of the message. */
export function maskSensorData(data: SensorData, mask: number): SensorData {
  if (isSet(mask, ALL_DATA_CHANNELS)) return data;
  const gps = isSet(mask, DataChannel.GPS);
  return {
    snr: isSet(mask, DataChannel.SNR) ? data.snr : undefined,
    vbat: isSet(mask, DataChannel.VBAT) ? data.vbat : undefined,
    latitude: gps ? data.latitude : undefined,
    longitude: gps ? data.longitude : undefined,
    gasResistance: isSet(mask, DataChannel.GAS) ? data.gasResistance : undefined,
    temperature: isSet(mask, DataChannel.TEMP) ? data.temperature : undefined,
    pressure: isSet(mask, DataChannel.PRESSURE) ? data.pressure : undefined,
    humidity: isSet(mask, DataChannel.HUMIDITY) ? data.humidity : undefined,
    light: isSet(mask, DataChannel.LIGHT_SENSOR) ? data.light : undefined,
    temperature2: isSet(mask, DataChannel.TEMP2) ? data.temperature2 : undefined,
    gyroscope: isSet(mask, DataChannel.GYROSCOPE) ? data.gyroscope : undefined,
    accelerometer: isSet(mask, DataChannel.ACCELEROMETER) ? data.accelerometer : undefined,
    random: data.random,
  };
}
