import mqtt from 'mqtt';
import { deriveDeviceKey, signReading } from '../../devices/index.ts';
import { encodeBinPackage, encodeSensorData, PackageType } from '../../protocol/index.ts';

/**
 * A misbehaving client for integration tests: it logs in with a real device's credentials
 * (taking over its session, as a second device with a cloned identity would) and publishes
 * a package signed by the wrong key, a malformed payload, and a package on another device's
 * topic. Returns once the broker has acknowledged all three.
 */
export async function injectBadTraffic(input: {
  brokerUrl: string;
  deviceId: string;
  password: string;
  otherDeviceId: string;
  nowS: number;
}): Promise<void> {
  const client = await mqtt.connectAsync(input.brokerUrl, {
    clientId: input.deviceId,
    username: input.deviceId,
    password: input.password,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  const data = encodeSensorData({ latitude: 525_200_000, longitude: 134_050_000, vbat: 4000, snr: 20 });
  const wrongKey = deriveDeviceKey(999_999, 0);
  const forged = encodeBinPackage({
    type: PackageType.DATA,
    data,
    timestamp: input.nowS,
    signature: signReading(wrongKey, PackageType.DATA, data, input.nowS),
  });
  try {
    await client.publishAsync(`device/${input.deviceId}/data`, Buffer.from(forged), { qos: 1 });
    await client.publishAsync(`device/${input.deviceId}/data`, Buffer.from([0x08, 0x00, 0x12, 0xff, 0x01]), { qos: 1 });
    await client.publishAsync(`device/${input.otherDeviceId}/data`, Buffer.from(forged), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}
