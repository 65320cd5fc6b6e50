import type { Clock, Random, TimerHandle } from '../../core/ports.ts';
import type { DeviceEventSink, MqttConnectOptions, MqttConnector, MqttLink, Registrar } from '../../devices/index.ts';

/** Runs the microtasks queued so far (and those they queue) before returning. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Test-only simulation clock: time moves only in `advance`, timers fire in (time, creation) order. */
export class FakeClock implements Clock {
  private now: number;
  private nextId = 1;
  private readonly timers = new Map<number, { atMs: number; fn: () => void }>();

  constructor(startMs = Date.UTC(2025, 5, 1, 12, 0, 0)) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { atMs: this.now + Math.max(0, delayMs), fn });
    return { id };
  }

  cancel(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  get pending(): number {
    return this.timers.size;
  }

  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      await flush();
      let nextId = -1;
      let nextAt = Infinity;
      for (const [id, timer] of this.timers) {
        if (timer.atMs < nextAt || (timer.atMs === nextAt && id < nextId)) {
          nextAt = timer.atMs;
          nextId = id;
        }
      }
      if (nextId < 0 || nextAt > target) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.now = timer.atMs;
      timer.fn();
    }
    this.now = target;
    await flush();
  }
}

/** A Random that always returns the same value. */
export const constantRandom = (value: number): Random => ({ next: () => value });

export class FakeMqttLink implements MqttLink {
  readonly published: Array<{ topic: string; payload: Uint8Array; qos: 0 | 1 }> = [];
  readonly subscriptions: string[] = [];
  ended = false;
  closed = false;
  failPublishes = false;
  private closeHandler: ((reason?: Error) => void) | undefined;
  private messageHandler: ((topic: string, payload: Uint8Array) => void) | undefined;

  constructor(readonly options: MqttConnectOptions) {}

  publish(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void> {
    if (this.closed) return Promise.reject(new Error('link is closed'));
    if (this.failPublishes) return Promise.reject(new Error('PUBACK timeout'));
    this.published.push({ topic, payload, qos });
    return Promise.resolve();
  }

  subscribe(topic: string): Promise<void> {
    this.subscriptions.push(topic);
    return Promise.resolve();
  }

  onMessage(handler: (topic: string, payload: Uint8Array) => void): void {
    this.messageHandler = handler;
  }

  onClose(handler: (reason?: Error) => void): void {
    this.closeHandler = handler;
  }

  end(): Promise<void> {
    this.ended = true;
    this.closed = true;
    return Promise.resolve();
  }

  /** The broker side drops the connection. */
  drop(reason = 'connection reset'): void {
    this.closed = true;
    this.closeHandler?.(new Error(reason));
  }

  deliver(topic: string, payload: Uint8Array): void {
    this.messageHandler?.(topic, payload);
  }
}

/**
 * Hands out FakeMqttLinks. `failing` connects are refused; `hold` keeps the next connect pending
 * until `release()` is called.
 */
export class FakeConnector implements MqttConnector {
  readonly links: FakeMqttLink[] = [];
  readonly attempts: Array<{ options: MqttConnectOptions; atMs: number }> = [];
  failing = false;
  hold = false;
  private held: Array<() => void> = [];

  constructor(private readonly clock: Clock) {}

  connect(options: MqttConnectOptions): Promise<MqttLink> {
    this.attempts.push({ options, atMs: this.clock.nowMs() });
    if (this.failing) return Promise.reject(new Error('ECONNREFUSED'));
    const link = new FakeMqttLink(options);
    this.links.push(link);
    if (!this.hold) return Promise.resolve(link);
    return new Promise((resolve) => this.held.push(() => resolve(link)));
  }

  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }

  get last(): FakeMqttLink {
    return this.links[this.links.length - 1]!;
  }
}

export class FakeRegistrar implements Registrar {
  readonly registered: string[] = [];
  failuresLeft = 0;

  register(device: { id: string }): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      return Promise.reject(new Error('registry transaction reverted'));
    }
    this.registered.push(device.id);
    return Promise.resolve();
  }
}

export class RecordingSink implements DeviceEventSink {
  readonly publishedEvents: Array<{ deviceId: string; topic: string; bytes: Uint8Array; timestampS: number }> = [];
  readonly failures: Array<{ deviceId: string; reason: string }> = [];
  readonly transitions: Array<{ from: string; to: string; atMs: number }> = [];
  readonly registrationFailures: string[] = [];
  readonly messages: Array<{ topic: string; payload: Uint8Array }> = [];

  published(deviceId: string, topic: string, bytes: Uint8Array, timestampS: number): void {
    this.publishedEvents.push({ deviceId, topic, bytes, timestampS });
  }

  publishFailed(deviceId: string, reason: string): void {
    this.failures.push({ deviceId, reason });
  }

  stateChanged(_deviceId: string, from: string, to: string, atMs: number): void {
    this.transitions.push({ from, to, atMs });
  }

  registrationFailed(_deviceId: string, reason: string): void {
    this.registrationFailures.push(reason);
  }

  received(_deviceId: string, topic: string, payload: Uint8Array): void {
    this.messages.push({ topic, payload });
  }

  get states(): string[] {
    return this.transitions.map((t) => t.to);
  }
}
