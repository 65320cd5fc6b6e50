import mqtt from 'mqtt';

/**
 * An honest device beside a probe: connects with its own login, publishes one QoS 1 reading-sized
 * message on its own topic and resolves true once the broker acknowledged it (PUBACK), so a
 * probe can show the broker still serves the others.
 */
export async function honestPublishAcked(url: string, login: { deviceId: string; password: string }): Promise<boolean> {
  const client = await mqtt.connectAsync(url, { clientId: login.deviceId, username: login.deviceId, password: login.password, reconnectPeriod: 0 });
  try {
    await client.publishAsync(`device/${login.deviceId}/data`, Buffer.alloc(150, 1), { qos: 1 });
    return true;
  } finally {
    await client.endAsync();
  }
}
