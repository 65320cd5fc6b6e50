import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Aedes, type Client } from 'aedes';
import { createMqttConnector } from '../../sim/mqtt/mqtt-connector.ts';

/**
 * A bare aedes that never acknowledges publishes (authorizePublish never answers), so a QoS 1
 * publish stays unacknowledged until the test closes the connection from the broker's side.
 */
async function silentBroker(): Promise<{ url: string; clients: Map<string, Client>; close(): Promise<void> }> {
  const clients = new Map<string, Client>();
  const broker = await Aedes.createBroker({ authorizePublish: () => undefined });
  broker.on('client', (client) => clients.set(client.id, client));
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    clients,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let broker: Awaited<ReturnType<typeof silentBroker>> | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

describe('mqtt.js connector', () => {
  it('behavior: a connection lost with a QoS 1 publish unacknowledged fails that publish and reports the close', async () => {
    broker = await silentBroker();
    const connector = createMqttConnector({ target: () => ({ url: broker!.url }) });
    const link = await connector.connect({ clientId: 'dev-1', username: 'dev-1', password: 'x' });
    const closed = new Promise<void>((resolve) => link.onClose(() => resolve()));
    const publish = link.publish('device/dev-1/data', new Uint8Array([1, 2, 3]), 1);
    await expect.poll(() => broker!.clients.has('dev-1')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    broker.clients.get('dev-1')!.close();
    await closed;
    await expect(publish).rejects.toThrow('Connection closed');
    // Ending a link that is already closed does not wait for acknowledgements either.
    await link.end();
  });
});
