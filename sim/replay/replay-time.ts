import type { Scenario } from '../../scenarios/index.ts';
import { IoSettle, SLICE_IO_WAIT } from '../clock/io-settle.ts';
import { createRealtimeSimTime, createSimTime, type SimTime } from '../clock/sim-time.ts';

/**
 * The run's time when it replays a capture: it must start where the capture's epochs did, or the
 * recorded readings (signed with their own timestamps) would land in no epoch and fail the
 * ingest's clock-skew check. Accelerated, the discrete clock simply starts there. In real time
 * the clock stands at the capture's start until `startClock()` (the fleet's start) and then runs
 * at wall speed from it: started when the run's set-up began, the circuit and chain set-up
 * would already have eaten into the first epoch, and its readings would be played late.
 */
export function replaySimTime(time: Scenario['time'], startMs: number, wallNowMs: () => number): { time: SimTime; startClock(): void } {
  if (time.mode !== 'realtime') {
    return { time: createSimTime({ ...time, startAt: new Date(startMs).toISOString() }, wallNowMs), startClock: () => undefined };
  }
  let offsetMs: number | undefined;
  const nowMs = () => (offsetMs === undefined ? startMs : wallNowMs() + offsetMs);
  return {
    time: createRealtimeSimTime(new IoSettle({ ...SLICE_IO_WAIT, wallNowMs }), nowMs),
    startClock() {
      offsetMs ??= startMs - wallNowMs();
    },
  };
}
