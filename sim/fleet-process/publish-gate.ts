import type { MqttConnector, MqttLink } from '../../devices/index.ts';

/**
 * Holds publishes while closed and sends them, in order, when opened. In accelerated time the
 * fleet process closes it while a slice's timers run: the slice's readings reach the broker only
 * after the run has been told the slice's simulated time, so the ingest judges them against the
 * same time as with the fleet in-process.
 */
export class PublishGate {
  private open = false;
  private held: Array<() => void> = [];

  constructor(initiallyOpen: boolean) {
    this.open = initiallyOpen;
  }

  close(): void {
    this.open = false;
  }

  release(): void {
    this.open = true;
    const held = this.held;
    this.held = [];
    for (const send of held) send();
  }

  wrap(inner: MqttConnector): MqttConnector {
    return {
      connect: async (options) => {
        const link = await inner.connect(options);
        const gated: MqttLink = {
          publish: (topic, payload, qos) => {
            if (this.open) return link.publish(topic, payload, qos);
            return new Promise<void>((resolve, reject) => this.held.push(() => link.publish(topic, payload, qos).then(resolve, reject)));
          },
          subscribe: (topic) => link.subscribe(topic),
          onMessage: (handler) => link.onMessage(handler),
          onClose: (handler) => link.onClose(handler),
          end: () => link.end(),
        };
        return gated;
      },
    };
  }
}
