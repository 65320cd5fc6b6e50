import { describe, expect, it } from 'vitest';
import { DiscreteClock } from '../../sim/clock/discrete.ts';
import { TimerHeap } from '../../sim/clock/timer-heap.ts';

function clock(options: Partial<ConstructorParameters<typeof DiscreteClock>[0]> = {}) {
  return new DiscreteClock({ startMs: 1_000_000, sliceMs: 100, settle: async () => {}, speed: Infinity, wallNowMs: () => 0, ...options });
}

describe('timer heap', () => {
  it('behavior: pops by time, then by scheduling order', () => {
    const heap = new TimerHeap();
    const order: number[] = [];
    [5, 1, 3, 1, 9, 0].forEach((atMs, seq) => heap.push({ atMs, seq, id: seq, fn: () => order.push(seq) }));
    for (let t = heap.pop(); t; t = heap.pop()) t.fn();
    expect(order).toEqual([5, 1, 3, 2, 0, 4]);
  });
});

describe('discrete clock', () => {
  it('behavior: a timer sees exactly its scheduled time', async () => {
    const c = clock();
    const seen: number[] = [];
    c.schedule(2500, () => seen.push(c.nowMs()));
    c.schedule(10, () => {
      seen.push(c.nowMs());
      c.schedule(40, () => seen.push(c.nowMs()));
    });
    await c.runUntil(1_010_000);
    expect(seen).toEqual([1_000_010, 1_000_050, 1_002_500]);
    expect(c.nowMs()).toBe(1_010_000);
  });

  it('behavior: timers after the end stay pending and cancelled ones never run', async () => {
    const c = clock();
    let ran = 0;
    const h = c.schedule(5, () => ran++);
    c.cancel(h);
    c.schedule(20_000, () => ran++);
    await c.runUntil(1_010_000);
    expect(ran).toBe(0);
    expect(c.pending()).toBe(1);
  });

  it('behavior: the clock waits for I/O to settle after each slice', async () => {
    const log: string[] = [];
    const c = clock({
      sliceMs: 1000,
      settle: async () => {
        log.push(`settle@${c.nowMs()}`);
      },
    });
    c.schedule(100, () => log.push('a'));
    c.schedule(200, () => log.push('b'));
    c.schedule(1500, () => log.push('c'));
    await c.runUntil(1_005_000);
    // The last settle is the clock checking that no I/O is left to schedule more timers.
    expect(log).toEqual(['a', 'b', 'settle@1000200', 'c', 'settle@1001500', 'settle@1001500']);
  });

  it('behavior: a speed limit paces simulated time against the wall clock', async () => {
    const wall = 0;
    const sleeps: number[] = [];
    const c = clock({ speed: 10, wallNowMs: () => wall, sleep: async (ms) => void sleeps.push(ms) });
    c.schedule(1000, () => {});
    c.schedule(3000, () => {});
    await c.runUntil(1_005_000);
    // 1 s and 3 s of simulated time at 10× need 100 ms and 300 ms of wall time.
    expect(sleeps).toEqual([100, 300]);
  });
});

describe('discrete clock barriers', () => {
  it('behavior: a barrier timer runs in a slice of its own, after the I/O before it settled', async () => {
    const log: string[] = [];
    const c = clock({ sliceMs: 10_000, settle: async () => void log.push('settle') });
    c.schedule(100, () => log.push('publish'));
    c.scheduleBarrier(200, () => log.push('close'));
    c.schedule(300, () => log.push('later'));
    await c.runUntil(1_005_000);
    expect(log).toEqual(['publish', 'settle', 'close', 'later', 'settle', 'settle']);
  });
});

describe('discrete clock and pending I/O', () => {
  it('behavior: with no timer due, the clock lets pending I/O schedule one before jumping to the end', async () => {
    const seen: number[] = [];
    let io: (() => void) | undefined;
    const c = clock({
      settle: async () => {
        io?.();
        io = undefined;
      },
    });
    // A device waiting on a connect: its next timer only exists once the I/O completes.
    io = () => c.schedule(500, () => seen.push(c.nowMs()));
    await c.runUntil(1_010_000);
    expect(seen).toEqual([1_000_500]);
  });
});
