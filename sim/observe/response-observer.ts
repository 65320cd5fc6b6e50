import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { loginOptions, type ExternalBrokerLogin } from '../../backend/broker/broker-client.ts';
import { connectFailureAdvice, connectFailureReason } from '../../backend/broker/connect-failure.ts';
import { filterMatches } from '../../protocol/topics.ts';
import type { ObservedReport } from '../../reports/types.ts';
import { msHistogram } from '../stats-histogram.ts';
import { matchResponse, ReadingAnswers } from './response-match.ts';

/**
 * `--observe`: subscribes on the team's broker to what their backend publishes back, and times
 * each answer against the reading it answers (send → answer, wall clock; response-match.ts says
 * how the two are paired). It logs in with the backend's login the run was given.
 */
export class ResponseObserver {
  private readonly latency = msHistogram();
  private readonly pairs = new ReadingAnswers((ms) => {
    this.matched += 1;
    this.latency.record(ms);
  });
  private readonly perFilter: Map<string, number>;
  private responses = 0;
  private matched = 0;

  private constructor(
    private readonly client: MqttClient,
    private readonly filters: readonly string[],
    private readonly deviceIds: ReadonlySet<string>,
    private readonly wallNowMs: () => number,
  ) {
    this.perFilter = new Map(filters.map((f) => [f, 0]));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  static async connect(input: {
    login: ExternalBrokerLogin;
    clientId: string;
    filters: readonly string[];
    deviceIds: ReadonlySet<string>;
    wallNowMs: () => number;
    logger: Logger;
  }): Promise<ResponseObserver> {
    const { login } = input;
    let client: MqttClient;
    try {
      client = await mqtt.connectAsync(login.url, {
        clientId: input.clientId, protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 10_000,
        ...loginOptions(login),
      });
    } catch (error) {
      const reason = connectFailureReason(error);
      throw new PinbenchError('BROKER_UNREACHABLE', `--observe: ${connectFailureAdvice(reason, login.url)} [${(error as Error).message}]`, { details: { url: login.url, reason } });
    }
    const granted = await client.subscribeAsync([...input.filters], { qos: 1 });
    const denied = granted.filter((g) => g.qos >= 128);
    if (denied.length > 0) {
      await client.endAsync(true);
      throw new PinbenchError('OBSERVE_REFUSED', `--observe: the broker at ${login.url} refused the subscription to ${denied.map((g) => `'${g.topic}'`).join(', ')}: give the login ${login.username ?? '(none)'} read access to what your backend publishes there`);
    }
    input.logger.info(`observing ${input.filters.map((f) => `'${f}'`).join(', ')} on ${login.url}`);
    return new ResponseObserver(client, input.filters, input.deviceIds, input.wallNowMs);
  }

  /** A reading the broker acknowledged: an answer to it may come. */
  readingSent(deviceId: string, digestHex: string, timestampS: number, sentMs: number): void {
    if (sentMs >= 0) this.pairs.reading(deviceId, digestHex, timestampS, sentMs);
  }

  private onMessage(topic: string, payload: Uint8Array): void {
    const nowMs = this.wallNowMs();
    this.responses += 1;
    for (const filter of this.filters) if (filterMatches(filter, topic)) this.perFilter.set(filter, (this.perFilter.get(filter) ?? 0) + 1);
    const key = matchResponse(topic, payload, this.deviceIds);
    if (key !== undefined) this.pairs.answer(key, nowMs);
  }

  summary(): ObservedReport {
    return {
      filters: this.filters.map((filter) => ({ filter, messages: this.perFilter.get(filter) ?? 0 })),
      responses: this.responses,
      matched: this.matched,
      unmatched: this.responses - this.matched,
      latencyMs: this.latency.summary(),
    };
  }

  close(): Promise<void> {
    return this.client.endAsync(false);
  }
}
