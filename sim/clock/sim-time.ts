import type { Clock } from '../../core/ports.ts';
import type { Scenario } from '../../scenarios/index.ts';
import { DiscreteClock } from './discrete.ts';
import { IoSettle, SLICE_IO_WAIT } from './io-settle.ts';
import { RealtimeClock } from './realtime.ts';

/** Default simulated start of an accelerated run: fixed, so a seed replays byte for byte. */
export const DEFAULT_ACCELERATED_START = '2026-01-01T00:00:00Z';

export interface SimTime {
  readonly mode: 'realtime' | 'accelerated';
  readonly clock: Clock;
  readonly io: IoSettle;
  /** A timer that runs once all I/O started before it has settled (realtime: a plain timer). */
  scheduleBarrier(delayMs: number, fn: () => void): void;
  /** Lets simulated time reach `endMs` (waiting on the wall clock in realtime mode). */
  advanceTo(endMs: number): Promise<void>;
  /** Ends any `advanceTo` at its next step and drops pending timers. */
  stop(): void;
  /** Realtime: how late device timers fired (ms); accelerated: undefined. */
  timerLateness(): { samples: number; p50: number; p95: number; p99: number; max: number } | undefined;
}

/**
 * Simulated time at wall-clock speed. `options.abandon` ends a wait early by rejecting (a dead
 * fleet process), `onStop` runs on stop, and `measuresTimers: false` says device timers run
 * elsewhere, so their lateness is not known here.
 */
export function createRealtimeSimTime(
  io: IoSettle,
  wallNowMs: () => number,
  options: { abandon?: () => Promise<never>; onStop?: () => void; measuresTimers?: boolean } = {},
): SimTime {
  const clock = new RealtimeClock(wallNowMs);
  let stopWaiting: (() => void) | undefined;
  return {
    mode: 'realtime',
    clock,
    io,
    scheduleBarrier: (delayMs, fn) => void clock.schedule(delayMs, fn),
    advanceTo: (endMs) => {
      const reached = new Promise<void>((resolve) => {
        stopWaiting = resolve;
        clock.schedule(endMs - clock.nowMs(), resolve);
      });
      return options.abandon ? Promise.race([reached, options.abandon()]) : reached;
    },
    stop() {
      clock.cancelAll();
      stopWaiting?.();
      options.onStop?.();
    },
    timerLateness: () => (options.measuresTimers === false ? undefined : clock.lateness.summary()),
  };
}

export function createSimTime(time: Scenario['time'], wallNowMs: () => number): SimTime {
  const io = new IoSettle({ ...SLICE_IO_WAIT, wallNowMs });
  if (time.mode === 'realtime') return createRealtimeSimTime(io, wallNowMs);
  const clock = new DiscreteClock({
    startMs: Date.parse(time.startAt ?? DEFAULT_ACCELERATED_START),
    sliceMs: time.sliceMs,
    speed: time.speed === 'max' ? Infinity : time.speed,
    settle: () => io.settled(),
    wallNowMs,
  });
  return {
    mode: 'accelerated',
    clock,
    io,
    scheduleBarrier: (delayMs, fn) => void clock.scheduleBarrier(delayMs, fn),
    advanceTo: (endMs) => clock.runUntil(endMs),
    stop() {
      clock.stop();
      clock.cancelAll();
    },
    timerLateness: () => undefined,
  };
}
