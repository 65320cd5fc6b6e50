import { describe, expect, it } from 'vitest';
import { powerOnFleet } from '../../sim/fleet/power-on.ts';
import { FakeClock } from '../devices/fakes.ts';

function fleet(clock: FakeClock, size: number) {
  const startedAtMs: Array<number | undefined> = Array.from({ length: size }, () => undefined);
  const t0 = clock.nowMs();
  const trackers = startedAtMs.map((_, k) => ({
    start: () => {
      if (startedAtMs[k] !== undefined) throw new Error(`device ${k} started twice`);
      startedAtMs[k] = clock.nowMs() - t0;
    },
  }));
  return { trackers, startedAtMs };
}

describe('fleet power-on ramp', () => {
  it('behavior: "all" powers every device on at once, before returning (a connect storm)', () => {
    const clock = new FakeClock();
    const { trackers, startedAtMs } = fleet(clock, 3);
    powerOnFleet(trackers, clock, { devicesPerS: 'all' });
    expect(startedAtMs).toEqual([0, 0, 0]);
    expect(clock.pending).toBe(0);
  });

  it('behavior: devicesPerS powers device k on at k / devicesPerS seconds of simulated time, in device order', async () => {
    const clock = new FakeClock();
    const { trackers, startedAtMs } = fleet(clock, 5);
    powerOnFleet(trackers, clock, { devicesPerS: 4 });
    await clock.advance(600);
    expect(startedAtMs).toEqual([0, 250, 500, undefined, undefined]);
    await clock.advance(1000);
    expect(startedAtMs).toEqual([0, 250, 500, 750, 1000]);
  });

  it('behavior: cancelling during the ramp leaves the devices not yet powered on off', async () => {
    const clock = new FakeClock();
    const { trackers, startedAtMs } = fleet(clock, 4);
    const cancel = powerOnFleet(trackers, clock, { devicesPerS: 2 });
    await clock.advance(600);
    cancel();
    await clock.advance(5000);
    expect(startedAtMs).toEqual([0, 500, undefined, undefined]);
    expect(clock.pending).toBe(0);
  });
});
