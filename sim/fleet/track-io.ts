import type { MqttConnector, MqttLink } from '../../devices/index.ts';
import type { IoSettle } from '../clock/io-settle.ts';

/** Counts a connector's outstanding operations so the discrete clock knows when they settled. */
export function trackConnectorIo(inner: MqttConnector, io: Pick<IoSettle, 'track' | 'publishSent'>): MqttConnector {
  return {
    async connect(options) {
      const link = await io.track(inner.connect(options));
      const tracked: MqttLink = {
        publish(topic, payload, qos) {
          io.publishSent();
          return io.track(link.publish(topic, payload, qos));
        },
        subscribe: (topic) => io.track(link.subscribe(topic)),
        onMessage: (handler) => link.onMessage(handler),
        onClose: (handler) => link.onClose(handler),
        end: () => io.track(link.end()),
      };
      return tracked;
    },
  };
}
