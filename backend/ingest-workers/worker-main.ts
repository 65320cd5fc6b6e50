/**
 * Entry of an ingest worker process (`--ingest-workers N` on a team's broker), forked by the run
 * with the tsx loader. Each worker subscribes to the uplinks of its share of the devices, decodes
 * each reading and checks its signature — the CPU of the ingest — and hands it to the run with
 * the verdict, in the order the broker delivered it. The run keeps the one run.db writer and the checks
 * that need every reading of a device (replay, order, epoch). It exits when the run goes away.
 */
import { isPinbenchError } from '../../core/errors.ts';
import { watchParent } from '../../core/parent-watchdog.js';
import type { Logger } from '../../core/ports.ts';
import { topicLayout } from '../../protocol/topics.ts';
import { createVerifier, type ReadingVerifier } from '../../protocol/verify.ts';
import type { PackageType } from '../../protocol/codec/bin-package.ts';
import { connectBrokerClient, type BrokerClient } from '../broker/broker-client.ts';
import { ingestCodecFor } from '../ingest/ingest-codecs.ts';
import type { FromWorker, ToWorker, WorkerVerdict } from './messages.ts';

if (process.send === undefined) {
  process.stderr.write('pinbench ingest worker: start it through the run (it needs an IPC channel)\n');
  process.exit(2);
}
const send = (message: FromWorker) => {
  if (process.connected) process.send!(message);
};
// The run gone (IPC closed, or this process handed to init): its subscription goes with it.
watchParent({ onParentGone: () => process.exit(1) });
const fail = (error: unknown) => {
  send({ type: 'failed', message: (error as Error).message ?? String(error), code: isPinbenchError(error) ? error.code : undefined });
  setTimeout(() => process.exit(1), 100);
};
process.on('uncaughtException', fail);

const line = (level: string) => (message: string) => void process.stderr.write(`[ingest worker ${process.pid}] ${level}: ${message}\n`);
const logger: Logger = { info: line('info'), warn: line('warn'), debug: () => undefined };

const verifiers = new Map<string, ReadingVerifier>();
/** Acknowledgements held until the run is done with their uplinks, oldest first. */
const held: Array<() => void> = [];
let outbox: Array<[string, Uint8Array, WorkerVerdict]> = [];
let flushing = false;
let client: BrokerClient | undefined;

function flush(): void {
  flushing = false;
  if (outbox.length === 0) return;
  const items = outbox;
  outbox = [];
  send({ type: 'uplinks', items });
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init': {
      const topics = topicLayout(message.topics);
      const codec = ingestCodecFor(message.codec);
      const verdictOf = (deviceId: string, topic: string, payload: Uint8Array): WorkerVerdict => {
        const verifier = verifiers.get(deviceId);
        if (verifier === undefined || topics.uplinkKind(deviceId, topic) !== 'data') return -1;
        try {
          const pkg = codec.decodePackage(payload);
          return verifier.verify(pkg.type as PackageType, pkg.data, pkg.timestamp, pkg.signature) ? 1 : 0;
        } catch {
          return -1;
        }
      };
      connectBrokerClient({
        login: message.login, clientId: message.clientId, topics, window: message.window, logger,
        subscribe: message.devices.flatMap((id) => [topics.data(id), topics.confirm(id), topics.query(id)]),
        hooks: {
          onUplink(topic, payload, done) {
            const deviceId = topics.uplinkOf(topic)?.deviceId;
            outbox.push([topic, payload, deviceId === undefined ? -1 : verdictOf(deviceId, topic, payload)]);
            held.push(done);
            if (!flushing) {
              flushing = true;
              setImmediate(flush);
            }
          },
        },
      }).then((connected) => {
        client = connected;
        send({ type: 'ready', shared: connected.shared });
      }, fail);
      return;
    }
    case 'keys':
      for (const [deviceId, publicKey, curve] of message.keys) if (!verifiers.has(deviceId)) verifiers.set(deviceId, createVerifier(publicKey, curve));
      return;
    case 'done':
      for (const done of held.splice(0, message.count)) done();
      return;
    case 'stop':
      flush();
      void (client?.close() ?? Promise.resolve()).then(() => {
        send({ type: 'stopped' });
        setTimeout(() => process.exit(0), 50);
      });
      return;
  }
});
