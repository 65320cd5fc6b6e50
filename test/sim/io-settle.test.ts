import { describe, expect, it } from 'vitest';
import { IoSettle, warnOfGiveUps } from '../../sim/clock/io-settle.ts';
import type { Logger } from '../../core/ports.ts';

/** Test fake: a wall clock that moves 10 ms each time it is read. */
function steppingWall(): () => number {
  let now = 0;
  return () => (now += 10);
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: () => undefined, debug: (m) => lines.push(`debug ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

describe('IoSettle', () => {
  it('behavior: settles once tracked operations, publishes and idle checks are done', async () => {
    const io = new IoSettle({ maxWaitMs: 60_000, wallNowMs: steppingWall() });
    let release!: () => void;
    void io.track(new Promise<void>((resolve) => (release = resolve)));
    io.publishSent();
    let ingestIdle = false;
    io.addIdleCheck('readings still in the ingest', () => ingestIdle);
    expect(io.isSettled()).toBe(false);
    release();
    await Promise.resolve();
    await Promise.resolve();
    io.publishArrived();
    expect(io.isSettled()).toBe(false);
    ingestIdle = true;
    expect(io.isSettled()).toBe(true);
  });

  it('behavior: a wait that gives up says what was unsettled, and lost publishes stop counting', async () => {
    const io = new IoSettle({ maxWaitMs: 100, wallNowMs: steppingWall() });
    const gaveUp: Array<[string, number]> = [];
    io.onGiveUp((what, count) => gaveUp.push([what, count]));
    void io.track(new Promise<void>(() => undefined));
    io.publishSent();
    io.publishSent();
    io.addIdleCheck('readings still in the ingest', () => false);
    await io.settled();
    expect(gaveUp).toEqual([['1 operation awaiting its answer, 2 publishes not at the broker, readings still in the ingest', 1]]);
    await io.settled();
    expect(gaveUp[1]).toEqual(['1 operation awaiting its answer, readings still in the ingest', 2]);
  });

  it('behavior: give-ups are debug lines at first, then a warning from the 20th and every 100th', async () => {
    const io = new IoSettle({ maxWaitMs: 20, wallNowMs: steppingWall() });
    const logger = recordingLogger();
    warnOfGiveUps(io, logger, 'the I/O of a slice on the run side');
    void io.track(new Promise<void>(() => undefined));
    void io.track(new Promise<void>(() => undefined));
    for (let i = 0; i < 200; i++) await io.settled();
    expect(logger.lines.filter((l) => l.startsWith('debug'))).toHaveLength(19);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([
      'warn accelerated time: the I/O of a slice on the run side did not settle within 20 ms (2 operations awaiting their answers); the clock went on (20 slices so far)',
      'warn accelerated time: the I/O of a slice on the run side did not settle within 20 ms (2 operations awaiting their answers); the clock went on (100 slices so far)',
      'warn accelerated time: the I/O of a slice on the run side did not settle within 20 ms (2 operations awaiting their answers); the clock went on (200 slices so far)',
    ]);
  });
});
