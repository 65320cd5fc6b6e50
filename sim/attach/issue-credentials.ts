import { PinbenchError } from '../../core/errors.ts';
import { firmwareClientId } from '../../protocol/client-ids.ts';
import { TOPIC_KINDS, type TopicLayout } from '../../protocol/topics.ts';
import type { LocalCa } from '../../backend/pki/local-ca.ts';
import { readCredentialsFile, writeCredentialsFile, type DeviceCredentials } from './credentials-file.ts';
import type { AttachedDevice } from './attached-device.ts';

const isTls = (url: string) => url.startsWith('mqtts:') || url.startsWith('wss:');

/**
 * Writes `<dir>/<IMEI>.json` for a real device: the listener URL, the firmware's client id
 * (`nrf-<IMEI>`), its login, the CA file and a client certificate issued for its IMEI (with
 * which it logs in on mqtts/wss without a password), and its topics. Returns the file and the
 * same as a `mosquitto_pub` command line.
 */
export async function writeDeviceCredentials(input: {
  dir: string;
  device: AttachedDevice;
  url: string;
  topics: TopicLayout;
  ca: LocalCa | undefined;
}): Promise<{ path: string; credentials: DeviceCredentials; command: string }> {
  const { device, url, ca } = input;
  if (isTls(url) && ca === undefined) {
    throw new PinbenchError('CREDENTIALS_INVALID', `${url} needs TLS credentials, but no certificate authority was given`);
  }
  const issued = ca === undefined ? undefined : await ca.issueClientCertificate(device.deviceId);
  const topics = Object.fromEntries(TOPIC_KINDS.map((kind) => [kind, input.topics.topic(kind, device.deviceId)])) as DeviceCredentials['topics'];
  const path = writeCredentialsFile(
    input.dir,
    device.deviceId,
    { url, clientId: firmwareClientId(device.deviceId), username: device.deviceId, password: device.password, topics },
    { caPem: ca?.certPem, certPem: issued?.certPem, keyPem: issued?.keyPem },
  );
  const credentials = readCredentialsFile(path);
  return { path, credentials, command: mosquittoPubCommand(credentials) };
}

const quote = (value: string) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/**
 * A `mosquitto_pub` line that publishes one signed reading (a BinPackage in `reading.bin`) as
 * the device. mosquitto_pub speaks mqtt and mqtts, not websockets: for a ws/wss URL the line
 * says so and any MQTT-over-WebSocket client takes the same fields.
 */
export function mosquittoPubCommand(credentials: DeviceCredentials, file = 'reading.bin'): string {
  const url = new URL(credentials.url);
  const tls = isTls(credentials.url);
  const parts = [
    'mosquitto_pub', '-V', 'mqttv311',
    '-h', url.hostname.replace(/^\[|\]$/g, ''), '-p', url.port || (tls ? '8883' : '1883'),
    ...(tls && credentials.ca ? ['--cafile', credentials.ca] : []),
    ...(tls && credentials.cert && credentials.key ? ['--cert', credentials.cert, '--key', credentials.key] : []),
    '-i', credentials.clientId, '-u', credentials.username, '-P', credentials.password,
    '-t', credentials.topics.data, '-q', '1', '-f', file,
  ];
  const line = parts.map(quote).join(' ');
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    return `# mosquitto_pub has no WebSocket transport; ${credentials.url} takes the same login from any MQTT-over-WebSocket client\n${line.replace(/-p \S+/, '-p <an mqtt or mqtts listener port>')}`;
  }
  return line;
}
