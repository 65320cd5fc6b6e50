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
  it('behavior: settles once tracked operations, publishes and pending work are done', async () => {
    const io = new IoSettle({ stallMs: 60_000, maxWaitMs: 60_000, wallNowMs: steppingWall() });
    let release!: () => void;
    void io.track(new Promise<void>((resolve) => (release = resolve)));
    io.publishSent();
    let inIngest = 2;
    io.addPending('readings still in the ingest', () => inIngest);
    expect(io.isSettled()).toBe(false);
    release();
    await Promise.resolve();
    await Promise.resolve();
    io.publishArrived();
    expect(io.isSettled()).toBe(false);
    inIngest = 0;
    expect(io.isSettled()).toBe(true);
  });

  it('behavior: a wait that gives up says what was unsettled, and lost publishes stop counting', async () => {
    const io = new IoSettle({ stallMs: 100, maxWaitMs: 60_000, wallNowMs: steppingWall() });
    const gaveUp: Array<[string, number]> = [];
    io.onGiveUp((what, count) => gaveUp.push([what, count]));
    void io.track(new Promise<void>(() => undefined));
    io.publishSent();
    io.publishSent();
    io.addPending('readings still in the ingest', () => 1);
    await io.settled();
    expect(gaveUp).toEqual([['1 operation awaiting its answer, 2 publishes not at the broker, readings still in the ingest; no progress for 100 ms', 1]]);
    await io.settled();
    expect(gaveUp[1]).toEqual(['1 operation awaiting its answer, readings still in the ingest; no progress for 100 ms', 2]);
  });

  it('behavior: a wait goes on while the I/O makes progress, longer than the stall limit (a connect storm)', async () => {
    // 100 connects, one answered every 3 reads of a wall clock that moves 10 ms a read: 3 s in
    // all, 30 times the stall limit, with never more than 30 ms between answers.
    const answers: Array<() => void> = [];
    let reads = 0;
    let now = 0;
    const wall = () => {
      if (++reads % 3 === 0) answers.shift()?.();
      return (now += 10);
    };
    const io = new IoSettle({ stallMs: 100, maxWaitMs: 60_000, wallNowMs: wall });
    let gaveUp = 0;
    io.onGiveUp(() => (gaveUp += 1));
    for (let i = 0; i < 100; i++) void io.track(new Promise<void>((resolve) => answers.push(resolve)));
    await io.settled();
    expect(gaveUp).toBe(0);
    expect(io.isSettled()).toBe(true);
    expect(now).toBeGreaterThan(2_900);
  });

  it('behavior: a pending count that keeps changing is progress; one that stays put is a stall', async () => {
    let inIngest = 40;
    let now = 0;
    // The ingest takes one reading off every read of the clock (10 ms): 400 ms to drain.
    const wall = () => {
      inIngest = Math.max(0, inIngest - 1);
      return (now += 10);
    };
    const io = new IoSettle({ stallMs: 100, maxWaitMs: 60_000, wallNowMs: wall });
    const gaveUp: string[] = [];
    io.onGiveUp((what) => gaveUp.push(what));
    let stuck = false;
    io.addPending('readings still in the ingest', () => (stuck ? 3 : inIngest));
    await io.settled();
    expect(gaveUp).toEqual([]);
    expect(now).toBeGreaterThan(300);
    stuck = true;
    await io.settled();
    expect(gaveUp).toEqual(['readings still in the ingest; no progress for 100 ms']);
  });

  it('behavior: however busy, a wait gives up after maxWaitMs in all', async () => {
    const io = new IoSettle({ stallMs: 100, maxWaitMs: 300, wallNowMs: steppingWall() });
    const gaveUp: string[] = [];
    io.onGiveUp((what) => gaveUp.push(what));
    let churn = 1;
    io.addPending('registrations still answering', () => (churn += 1));
    await io.settled();
    expect(gaveUp).toEqual(['registrations still answering; busy for 300 ms']);
  });

  it('behavior: while a chain operation (a registration) is in flight a wait does not stall out, only maxWaitMs ends it', async () => {
    // The chain answers after 500 ms of wall time without any other progress: 5 times the stall limit.
    let now = 0;
    let answer!: () => void;
    const registration = new Promise<void>((resolve) => (answer = resolve));
    const wall = () => {
      now += 10;
      if (now === 500) answer();
      return now;
    };
    const io = new IoSettle({ stallMs: 100, maxWaitMs: 60_000, wallNowMs: wall });
    const gaveUp: string[] = [];
    io.onGiveUp((what) => gaveUp.push(what));
    void io.track(registration, { chain: true });
    await io.settled();
    expect(gaveUp).toEqual([]);
    expect(io.isSettled()).toBe(true);
    expect(now).toBeGreaterThanOrEqual(500);
    // The same wait without `chain` gives up at the stall limit.
    const plain = new IoSettle({ stallMs: 100, maxWaitMs: 60_000, wallNowMs: steppingWall() });
    plain.onGiveUp((what) => gaveUp.push(what));
    void plain.track(new Promise<void>(() => undefined));
    await plain.settled();
    expect(gaveUp).toEqual(['1 operation awaiting its answer; no progress for 100 ms']);
    // And a chain operation that never answers still ends at maxWaitMs.
    const stuck = new IoSettle({ stallMs: 100, maxWaitMs: 1_000, wallNowMs: steppingWall() });
    stuck.onGiveUp((what) => gaveUp.push(what));
    void stuck.track(new Promise<void>(() => undefined), { chain: true });
    await stuck.settled();
    expect(gaveUp[1]).toBe('1 operation awaiting its answer; busy for 1000 ms');
  });

  it('behavior: give-ups are debug lines at first, then a warning from the 20th and every 100th', async () => {
    const io = new IoSettle({ stallMs: 20, maxWaitMs: 60_000, wallNowMs: steppingWall() });
    const logger = recordingLogger();
    warnOfGiveUps(io, logger, 'the I/O of a slice on the run side');
    void io.track(new Promise<void>(() => undefined));
    void io.track(new Promise<void>(() => undefined));
    for (let i = 0; i < 200; i++) await io.settled();
    expect(logger.lines.filter((l) => l.startsWith('debug'))).toHaveLength(19);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([
      'warn accelerated time: the I/O of a slice on the run side did not settle (2 operations awaiting their answers; no progress for 20 ms); the clock went on (20 slices so far)',
      'warn accelerated time: the I/O of a slice on the run side did not settle (2 operations awaiting their answers; no progress for 20 ms); the clock went on (100 slices so far)',
      'warn accelerated time: the I/O of a slice on the run side did not settle (2 operations awaiting their answers; no progress for 20 ms); the clock went on (200 slices so far)',
    ]);
  });
});
