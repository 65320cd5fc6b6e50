import type { Logger } from '../../core/ports.ts';
import type { RunEnd, RunOutput, RunSample, RunStart } from '../../reports/output.ts';
import { startPerfSampler, type PerfSample } from '../perf/sampler.ts';
import { TRACKER_STATES } from './perf-probes.ts';

/** What a sample is read from, once a second; each reader is cheap (counters, one small query). */
export interface SampleSources {
  simNowMs(): number;
  epochOf(simS: number): number | null;
  published(): number;
  accepted(): number;
  rejectedByReason(): Record<string, number>;
  /** Publish → accept since the last call (PublishLatency.takeInterval). */
  latencyInterval(): RunSample['latencyMs'];
  connections(): number;
  stateCount(state: string): number;
  timerLatenessP99Ms(): number | null;
  proofs(): RunSample['proofs'];
  settlements(): RunSample['settlements'];
  rewardsWei(): bigint;
  attached(): RunSample['attached'];
}

/** A logger that also tells its listeners each info and warning line. */
export interface TeeLogger extends Logger {
  listen(listener: (level: 'info' | 'warn', text: string) => void): void;
}

/** Wraps the run's logger so the sample stream can hear its lines once it starts (they were logged before any output listened). */
export function teeLogger(base: Logger): TeeLogger {
  const listeners: Array<(level: 'info' | 'warn', text: string) => void> = [];
  return {
    info: (message) => {
      base.info(message);
      for (const listener of listeners) listener('info', message);
    },
    warn: (message) => {
      base.warn(message);
      for (const listener of listeners) listener('warn', message);
    },
    debug: (message) => base.debug(message),
    listen: (listener) => void listeners.push(listener),
  };
}

export interface RunStream {
  /** Sets what the run is doing; the next sample says so. */
  phase(phase: RunSample['phase']): void;
  /** Takes a last sample and stops the timer (once): what it returns is the report's timeline. */
  close(): readonly RunSample[];
  /** Hands the outputs the finished report, in turn; an output that fails is logged and the rest still run. */
  report(end: RunEnd): Promise<void>;
  /** Stops the timer and tells the outputs the run ended without a report. */
  fail(error: Error): Promise<void>;
}

/**
 * The run's one event stream (k6's outputs): from the fleet's start to the report, a sample a
 * second built from `sources` goes to every output and into the report. Nothing downstream
 * keeps a counter of its own, so the live view, the progress lines and report.html agree.
 */
export function startRunStream(input: {
  start: RunStart;
  sources: SampleSources;
  outputs: readonly RunOutput[];
  /** The run's logger: each line it logs from now on goes to the outputs too (a live view shows them). */
  lines: TeeLogger;
  /** Where an output's own failure is said. */
  logger: Logger;
  wallNowMs: () => number;
  intervalMs?: number;
}): RunStream {
  const { sources, outputs, wallNowMs } = input;
  const t0 = wallNowMs();
  const machine = startPerfSampler({ intervalMs: null });
  const taken: RunSample[] = [];
  let phase: RunSample['phase'] = 'fleet';
  let warnings = 0;
  let previous: { tS: number; published: number; accepted: number } | undefined;
  let ended = false;

  // Samples and lines are told without waiting: an output that fails says so and the run goes on.
  const tell = (each: (output: RunOutput) => void | Promise<void>) => {
    for (const output of outputs) {
      try {
        void Promise.resolve(each(output)).catch((error: unknown) => saidFailed(output, error, input.logger));
      } catch (error) {
        saidFailed(output, error, input.logger);
      }
    }
  };

  const sample = (): RunSample => {
    const perf: PerfSample = machine.sample();
    const tS = Math.round((wallNowMs() - t0) / 100) / 10;
    const simTimeS = Math.floor(sources.simNowMs() / 1000);
    const published = sources.published();
    const accepted = sources.accepted();
    const rejectedByReason = sources.rejectedByReason();
    const dtS = tS - (previous?.tS ?? 0);
    const rate = (now: number, before: number) => (dtS > 0 ? Math.round((now - before) / dtS) : 0);
    const states: Record<string, number> = {};
    for (const state of TRACKER_STATES) {
      const n = sources.stateCount(state);
      if (n > 0) states[state] = n;
    }
    const s: RunSample = {
      tS,
      simTimeS,
      epoch: sources.epochOf(simTimeS),
      phase,
      published,
      accepted,
      rejected: Object.values(rejectedByReason).reduce((a, n) => a + n, 0),
      publishedPerS: rate(published, previous?.published ?? 0),
      acceptedPerS: rate(accepted, previous?.accepted ?? 0),
      rejectedByReason: { ...rejectedByReason },
      latencyMs: sources.latencyInterval(),
      connections: sources.connections(),
      states,
      cpuPercent: Math.round(perf.cpuPercent),
      rssMb: Math.round(perf.rssBytes / 2 ** 20),
      loopLagP99Ms: perf.loopLagP99Ms,
      timerLatenessP99Ms: sources.timerLatenessP99Ms(),
      proofs: sources.proofs(),
      settlements: sources.settlements(),
      rewardsWei: sources.rewardsWei().toString(),
      attached: sources.attached(),
      warnings,
    };
    previous = { tS, published, accepted };
    taken.push(s);
    return s;
  };

  tell((output) => output.start(input.start));
  const timer = setInterval(() => {
    const s = sample();
    tell((output) => output.samples([s]));
  }, input.intervalMs ?? 1000);
  timer.unref();

  input.lines.listen((level, text) => {
    if (level === 'warn') warnings += 1;
    tell((output) => output.message?.(level, text));
  });

  const end = () => {
    if (ended) return false;
    ended = true;
    clearInterval(timer);
    machine.stop();
    return true;
  };
  let reported = false;

  return {
    phase: (next) => {
      phase = next;
    },
    close() {
      if (end()) {
        const last = sample();
        tell((output) => output.samples([last]));
      }
      return taken;
    },
    async report(runEnd) {
      end();
      if (reported) return;
      reported = true;
      // File outputs write in turn: one that fails says so and the others still write theirs.
      await inTurn(outputs, (output) => output.stop(runEnd), input.logger);
    },
    async fail(error) {
      end();
      if (reported) return;
      reported = true;
      await inTurn(outputs, (output) => output.fail?.(error), input.logger);
    },
  };
}

function saidFailed(output: RunOutput, error: unknown, logger: Logger): void {
  logger.warn(`the ${output.name} output failed: ${(error as Error).message}`);
}

/** Tells each output in turn, waiting for each; one that fails is logged and the others are still told. */
export async function inTurn(outputs: readonly RunOutput[], each: (output: RunOutput) => void | Promise<void>, logger: Logger): Promise<void> {
  for (const output of outputs) {
    try {
      await each(output);
    } catch (error) {
      saidFailed(output, error, logger);
    }
  }
}
