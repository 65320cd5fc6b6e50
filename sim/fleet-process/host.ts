import { fork } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { IoSettle } from '../clock/io-settle.ts';
import type { FleetEnrolment } from '../fleet/fleet-enrolment.ts';
import { fleetRuntime, type FleetRuntime } from '../fleet/fleet-runtime.ts';
import type { PublishLatency } from '../mqtt/publish-latency.ts';
import type { FollowerClock } from './follower-clock.ts';
import { LatencyMatcher } from './latency-matcher.ts';
import type { ChildMessage, FleetBatch, ParentMessage } from './ipc-messages.ts';

/** The parent's view of the fleet process (a real fork, or a fake in unit tests). */
export interface ChildHandle {
  readonly pid: number | undefined;
  send(message: ParentMessage): void;
  onMessage(handler: (message: ChildMessage) => void): void;
  onExit(handler: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  kill(): void;
}

const CHILD_ENTRY = fileURLToPath(new URL('./child-main.ts', import.meta.url));

/**
 * Forks the fleet process. Its stdout and stderr go to `logPath`. The tsx loader is passed
 * explicitly: the parent may run TypeScript through tsx's `register()` (bin/pinbench.js) or
 * through vitest, neither of which a plain fork inherits.
 */
export function forkFleetProcess(logPath: string): ChildHandle {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const log = openSync(logPath, 'a');
  const child = fork(CHILD_ENTRY, [], {
    execArgv: ['--import', tsx],
    serialization: 'advanced',
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  return {
    pid: child.pid,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (handler) => child.on('message', (message) => handler(message as ChildMessage)),
    onExit: (handler) => child.once('exit', handler),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface FleetProcessOptions {
  child: ChildHandle;
  scenario: Scenario;
  scenarioDir: string;
  startMs: number;
  mode: 'realtime' | 'accelerated';
  io: IoSettle;
  /** Accelerated time only: the run's clock, led by the fleet's. */
  follower: FollowerClock | undefined;
  logPath: string;
  /** IPC batching in the child. */
  flushMs?: number;
  maxBatch?: number;
}

export interface RuntimeDeps {
  enrolment: FleetEnrolment;
  logger: Logger;
  /** Where publish → accept latencies go. */
  publishLatency: Pick<PublishLatency, 'record'>;
  /** Where publish → PUBACK latencies go. */
  ackLatency?: Pick<PublishLatency, 'record'>;
  connectLatency?: Pick<PublishLatency, 'record'>;
}

/**
 * The run's side of the fleet process: starts it with the scenario, answers its registration
 * requests through the registry (on chain), records what it published, follows its simulated
 * time and tells it when a slice's I/O has settled here, and turns its exit into an error.
 */
export class FleetProcessHost {
  private readonly child: ChildHandle;
  private deps: RuntimeDeps | undefined;
  private matcher: LatencyMatcher | undefined;
  private counters: FleetBatch['counters'] = { published: 0, sent: 0, online: 0, peak: 0, states: [], connects: 0, refused: [], incidents: { publishFailed: 0, bufferDropped: 0, connectionsLost: 0 } };
  private states = new Map<string, number>();
  private peakRss = 0;
  /** Where the outcomes of the timeline's device interventions go (fleetRuntime keeps them). */
  private intervened: (id: number, affected: number) => void = () => undefined;
  private lastRss: number | undefined;
  private exited = false;
  private stopRequested = false;
  private killedByHost = false;
  private failure: PinbenchError | undefined;
  private lastFailedMessage: string | undefined;
  private answers: Array<[string, number, string | undefined]> = [];
  private answerTimer: NodeJS.Immediate | undefined;
  private advanceWaiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private readonly stopped: Promise<void>;
  private resolveStopped!: () => void;
  private rejectStopped!: (e: unknown) => void;
  private readonly failedPromise: Promise<never>;
  private rejectFailed!: (e: unknown) => void;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: FleetProcessOptions) {
    this.child = options.child;
    this.stopped = new Promise<void>((resolve, reject) => {
      this.resolveStopped = resolve;
      this.rejectStopped = reject;
    });
    this.stopped.catch(() => undefined);
    this.failedPromise = new Promise<never>((_resolve, reject) => (this.rejectFailed = reject));
    this.failedPromise.catch(() => undefined);
    this.child.onMessage((message) => this.onMessage(message));
    this.child.onExit((code, signal) => this.onExit(code, signal));
    this.child.send({
      type: 'init',
      scenario: options.scenario,
      scenarioDir: options.scenarioDir,
      startMs: options.startMs,
      mode: options.mode,
      flushMs: options.flushMs ?? 25,
      maxBatch: options.maxBatch ?? 500,
    });
  }

  /** Rejects with FLEET_PROCESS_FAILED if the fleet process dies before it was stopped. */
  failed(): Promise<never> {
    return this.failedPromise;
  }

  /** Whether the fleet process leads simulated time (started, not stopped). */
  leading(): boolean {
    return !this.exited && !this.stopRequested;
  }

  childPeakRssBytes(): number {
    return this.peakRss;
  }

  /** The fleet process's RSS as it last reported it; undefined once it has exited. */
  childRssBytes(): number | undefined {
    return this.exited ? undefined : this.lastRss;
  }

  /** Accelerated: lets the fleet run simulated time to `endMs`; the run's timers fire on the way. */
  advance(endMs: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const follower = this.options.follower!;
    return new Promise<void>((resolve, reject) => {
      this.advanceWaiter = {
        resolve: () => {
          follower.follow(endMs);
          resolve();
        },
        reject,
      };
      this.child.send({ type: 'advance', endMs, nextTimer: follower.nextDue() });
    });
  }

  /**
   * Clean-up: asks a still running fleet process to stop (keeping what it reports on the way)
   * and kills it if it has not exited within `graceMs`.
   */
  shutdown(graceMs = 5000): void {
    if (this.exited) return;
    void this.stop().catch(() => undefined);
    setTimeout(() => {
      this.killedByHost = true;
      this.child.kill();
    }, graceMs).unref();
  }

  runtime(deps: RuntimeDeps): FleetRuntime & { childPeakRssBytes(): number; childRssBytes(): number | undefined } {
    this.deps = deps;
    const matcher = new LatencyMatcher((ms) => deps.publishLatency.record(ms));
    this.matcher = matcher;
    return {
      ...fleetRuntime(deps.enrolment, {
        useBroker: (target) => this.child.send({ type: 'broker', target }),
        start: () => this.child.send({ type: 'start' }),
        intervene: (list, done) => {
          this.intervened = done;
          this.child.send({ type: 'interventions', list: [...list] });
        },
        stop: () => this.stop(),
        counters: () => ({ online: this.counters.online, peak: this.counters.peak, published: this.counters.published, states: this.states, connects: this.counters.connects, refused: new Map(this.counters.refused), incidents: this.counters.incidents }),
        // The send time comes with the fleet's next batch, maybe after this: the matcher pairs them in either order.
        readingAccepted: (clientId, digest, _payload, acceptedMs) => matcher.acceptedAt(clientId, digest, acceptedMs),
      }),
      childPeakRssBytes: () => this.peakRss,
      childRssBytes: () => this.childRssBytes(),
    };
  }

  /** Stops the trackers, waits for their last batch and registrations, and for the process to exit. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // A fleet process that already died failed the run through `advance` or `failed()`.
      if (this.exited) return;
      this.stopRequested = true;
      this.child.send({ type: 'stop' });
      await this.stopped;
      await this.deps?.enrolment.drain();
    })();
    return this.stopping;
  }

  private onMessage(message: ChildMessage): void {
    switch (message.type) {
      case 'ready':
        return;
      case 'batch':
        this.applyBatch(message);
        return;
      case 'time': {
        const follower = this.options.follower!;
        follower.follow(message.nowMs);
        this.child.send({ type: 'time-ok', nextTimer: follower.nextDue() });
        return;
      }
      case 'slice': {
        const follower = this.options.follower!;
        follower.follow(message.nowMs);
        this.options.io.publishesSentTotal(message.sent);
        void this.options.io.settled().then(() => this.child.send({ type: 'settled', nextTimer: follower.nextDue() }));
        return;
      }
      case 'advanced': {
        const waiter = this.advanceWaiter;
        this.advanceWaiter = undefined;
        waiter?.resolve();
        return;
      }
      case 'intervened':
        this.intervened(message.id, message.affected);
        return;
      case 'stopped':
        this.resolveStopped();
        return;
      case 'failed':
        this.lastFailedMessage = message.message;
        return;
    }
  }

  private applyBatch(batch: FleetBatch): void {
    const deps = this.deps;
    if (deps !== undefined) {
      const { enrolment, logger } = deps;
      for (const [deviceId, digest, sentMs, ackedMs, timestampS] of batch.published) {
        if (sentMs >= 0) deps.ackLatency?.record(ackedMs - sentMs);
        enrolment.recordPublished(deviceId, digest, Math.round(ackedMs), { timestampS, sentMs });
        this.matcher!.sentAt(deviceId, digest, sentMs);
      }
      for (const ms of batch.connectMs) deps.connectLatency?.record(ms);
      for (const deviceId of batch.register) this.register(enrolment, deviceId);
      for (const [deviceId, reason] of batch.publishFailed) logger.debug(`${deviceId}: publish failed: ${reason}`);
      for (const [deviceId, reason] of batch.registrationFailed) logger.warn(`${deviceId}: registration failed: ${reason}`);
      for (const [level, line] of batch.logs) logger[level](line);
    }
    this.counters = batch.counters;
    this.states = new Map(batch.counters.states);
    this.peakRss = Math.max(this.peakRss, batch.memory.rssBytes, batch.memory.maxRssBytes);
    this.lastRss = batch.memory.rssBytes;
  }

  private register(enrolment: FleetEnrolment, deviceId: string): void {
    enrolment.register(deviceId).then(
      (index) => this.answer([deviceId, index, undefined]),
      (error: unknown) => this.answer([deviceId, -1, (error as Error).message ?? String(error)]),
    );
  }

  private answer(result: [string, number, string | undefined]): void {
    this.answers.push(result);
    // Answers of one registry batch resolve together: one message for all of them.
    this.answerTimer ??= setImmediate(() => {
      this.answerTimer = undefined;
      const results = this.answers;
      this.answers = [];
      this.child.send({ type: 'registered', results });
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    if (this.stopRequested && code === 0) {
      this.resolveStopped();
      // Stopped while advancing (an interrupted run): simulated time ends here.
      this.advanceWaiter?.resolve();
      this.advanceWaiter = undefined;
      return;
    }
    if (this.killedByHost) {
      this.rejectStopped(new PinbenchError('FLEET_PROCESS_FAILED', 'fleet process was killed during clean-up'));
      return;
    }
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
    const detail = this.lastFailedMessage ?? lastLine(this.options.logPath);
    this.failure = new PinbenchError(
      'FLEET_PROCESS_FAILED',
      `the fleet process (pid ${this.child.pid ?? '?'}) ${how}${detail ? `: ${detail}` : ''}; its output is in ${this.options.logPath}` +
        (signal === 'SIGKILL' ? ' (SIGKILL often means the machine ran out of memory: run fewer devices)' : ''),
      { details: { exitCode: code, signal, logPath: this.options.logPath } },
    );
    this.rejectFailed(this.failure);
    this.rejectStopped(this.failure);
    this.advanceWaiter?.reject(this.failure);
    this.advanceWaiter = undefined;
  }
}

function lastLine(path: string): string | undefined {
  try {
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    return lines.at(-1)?.slice(0, 300) || undefined;
  } catch {
    return undefined;
  }
}
