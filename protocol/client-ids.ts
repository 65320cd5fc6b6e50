/**
 * The MQTT client ids a device may connect with. The Pebble firmware connects as `nrf-<IMEI>`
 * (the nRF9160's convention); pinbench's own trackers and most tools connect as `<IMEI>`. Both
 * name the same device: the broker, the ACL and the backend work with the device id (the IMEI).
 */

const NRF_PREFIX = 'nrf-';

/** A device id as real devices carry it: the modem's IMEI, 15 digits (the Luhn digit is not insisted on: test boards may lack one). */
export const IMEI_PATTERN = /^[0-9]{15}$/;

/** The device id a client id names: `nrf-<IMEI>` and `<IMEI>` both name `<IMEI>`. */
export function deviceIdOfClientId(clientId: string): string {
  return clientId.startsWith(NRF_PREFIX) && clientId.length > NRF_PREFIX.length ? clientId.slice(NRF_PREFIX.length) : clientId;
}

/** The client id the Pebble firmware uses for a device. */
export const firmwareClientId = (deviceId: string): string => `${NRF_PREFIX}${deviceId}`;
