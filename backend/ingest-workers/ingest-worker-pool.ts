import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { PayloadCodecName } from '../../protocol/codec/payload-codecs.ts';
import type { CurveName } from '../../protocol/curves.ts';
import type { TopicTemplates } from '../../protocol/topics.ts';
import type { ExternalBrokerLogin } from '../broker/broker-client.ts';
import type { FromWorker, ToWorker, WorkerVerdict } from './messages.ts';

const WORKER_ENTRY = new URL('./worker-main.ts', import.meta.url);

/** A registered device's key, as the workers need it to check its readings. */
export interface WorkerKey {
  readonly deviceId: string;
  readonly publicKey: Uint8Array;
  readonly curve: CurveName;
}

export interface IngestWorkerPool {
  readonly size: number;
  /** Tells every worker the keys of newly registered devices. */
  addKeys(keys: readonly WorkerKey[]): void;
  /** Uplinks received through the workers so far. */
  received(): number;
  close(): Promise<void>;
}

/**
 * `--ingest-workers N` on a team's broker: N worker processes split the devices between them,
 * each subscribing to its devices' uplinks, decode and verify them and hand each to `onUplink`
 * with its verdict. The devices are split, not the messages: a shared subscription deals one
 * device's readings out to every worker, they reach this process out of order, and the ingest
 * refuses a reading older than the device's last one as a replay. This process stays the one
 * run.db writer and judges every reading (replay, order, epoch): SQLite takes one writer at a
 * time however many processes ask, and those checks need all of a device's readings in one place.
 * Each worker holds at most `window` uplinks the run has not finished with, so a slow run slows
 * the broker's delivery instead of growing a queue.
 */
export async function startIngestWorkers(input: {
  count: number;
  login: ExternalBrokerLogin;
  /** Each worker's client id is this with `-<n>`. */
  clientIdPrefix: string;
  /** Every provisioned device: worker n takes every count-th one. */
  devices: readonly string[];
  topics: TopicTemplates;
  codec: PayloadCodecName;
  window?: number;
  logPath: string;
  onUplink(topic: string, payload: Uint8Array, verdict: WorkerVerdict, done: () => void): void;
  logger: Logger;
}): Promise<IngestWorkerPool> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const workers: ChildProcess[] = [];
  let received = 0;
  let stopping = false;
  const kill = () => {
    for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  };
  const started = Array.from({ length: input.count }, (_, n) => {
    const log = openSync(input.logPath, 'a');
    const worker = fork(WORKER_ENTRY, [], { execArgv: ['--import', tsx], serialization: 'advanced', stdio: ['ignore', log, log, 'ipc'] });
    closeSync(log);
    workers.push(worker);
    const tell = (message: ToWorker) => {
      if (worker.connected) worker.send(message);
    };
    // Dones of one turn go back as one message.
    let doneCount = 0;
    const done = () => {
      doneCount += 1;
      if (doneCount === 1) {
        setImmediate(() => {
          tell({ type: 'done', count: doneCount });
          doneCount = 0;
        });
      }
    };
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'uplinks') {
          received += message.items.length;
          for (const [topic, payload, verdict] of message.items) input.onUplink(topic, payload, verdict, done);
        } else if (message.type === 'failed') {
          const error = new PinbenchError(message.code === 'BROKER_UNREACHABLE' || message.code === 'BROKER_SUBSCRIBE_REFUSED' ? message.code : 'INGEST_WORKER_FAILED', `ingest worker ${n + 1}: ${message.message}`);
          reject(error);
          if (!stopping) input.logger.warn(error.message);
        }
      });
      worker.once('exit', (code, signal) => {
        reject(new PinbenchError('INGEST_WORKER_FAILED', `ingest worker ${n + 1} (pid ${worker.pid}) ${signal === null ? `exited with code ${code}` : `was killed by ${signal}`} before it was ready; its output is in ${input.logPath}`));
        if (!stopping) input.logger.warn(`ingest worker ${n + 1} (pid ${worker.pid}) stopped (${signal ?? code}); the broker gives its share to the others`);
      });
      const devices = input.devices.filter((_, i) => i % input.count === n);
      tell({ type: 'init', login: input.login, clientId: `${input.clientIdPrefix}-${n + 1}`, topics: input.topics, codec: input.codec, window: input.window ?? 2000, devices });
    });
  });
  try {
    await Promise.all(started);
  } catch (error) {
    kill();
    throw error;
  }
  input.logger.info(`${input.count} ingest workers share the subscription on ${input.login.url} (output in ${input.logPath})`);
  return {
    size: input.count,
    received: () => received,
    addKeys(keys) {
      const message: ToWorker = { type: 'keys', keys: keys.map((k) => [k.deviceId, k.publicKey, k.curve]) };
      for (const worker of workers) if (worker.connected) worker.send(message);
    },
    async close() {
      stopping = true;
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.exitCode !== null || worker.signalCode !== null) return resolve();
              const timer = setTimeout(() => worker.kill('SIGKILL'), 5000);
              worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              if (worker.connected) worker.send({ type: 'stop' } satisfies ToWorker);
              else worker.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}
