import type { MqttConnector, MqttLink } from '../../devices/index.ts';

/** What a device sent, where a broker would have received it. */
export type SinkPublish = (clientId: string, topic: string, payload: Uint8Array) => void;

/**
 * The MQTT seam of the tracker (devices/tracker/ports.ts `MqttConnector`) ending in a function
 * instead of a broker: every connect succeeds at once, every publish is handed to `deliver` and
 * acknowledged at once, and no downlink ever arrives. Calibration runs the real device models
 * (motion, sensors, faults, adversaries, signing) through it in simulated time without sockets,
 * so a reading costs what the device model costs and nothing more.
 */
export function publishSinkConnector(deliver: SinkPublish): MqttConnector {
  return {
    connect: ({ clientId }) => {
      const link: MqttLink = {
        publish: (topic, payload) => {
          deliver(clientId, topic, payload);
          return Promise.resolve();
        },
        subscribe: () => Promise.resolve(),
        onMessage: () => undefined,
        onClose: () => undefined,
        end: () => Promise.resolve(),
      };
      return Promise.resolve(link);
    },
  };
}
