import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { createLiveView as CreateLiveView } from '../../reports/live/create-live-view.ts';
import { fakeRunEnd, fakeRunStart, fakeSample } from '../support/fake-run-stream.ts';

/**
 * A terminal's output as ink sees it (a fake for unit tests): a TTY of 100×40 that records
 * every write. A frame goes out as one write (erase the last frame, draw this one).
 */
class FakeTtyStdout extends EventEmitter {
  readonly isTTY = true;
  readonly columns = 100;
  readonly rows = 40;
  readonly writes: string[] = [];
  write(chunk: string | Uint8Array, callback?: unknown): boolean {
    this.writes.push(String(chunk));
    if (typeof callback === 'function') (callback as () => void)();
    return true;
  }
  /** What is on screen now: the last write that drew anything, without its escape codes. */
  lastFrame(): string {
    for (let i = this.writes.length - 1; i >= 0; i--) {
      const text = stripVTControlCharacters(this.writes[i]!).trim();
      if (text !== '') return text;
    }
    return '';
  }
  get written(): string {
    return this.writes.join('');
  }
}

/** A terminal's keyboard as ink reads it (a fake for unit tests): records raw mode and ref/unref, queues key presses. */
class FakeTtyStdin extends EventEmitter {
  readonly rawModes: boolean[] = [];
  refs = 0;
  private queued: string[] = [];
  constructor(readonly isTTY = true) {
    super();
  }
  setRawMode(on: boolean): this {
    this.rawModes.push(on);
    return this;
  }
  setEncoding(): this {
    return this;
  }
  ref(): this {
    this.refs += 1;
    return this;
  }
  unref(): this {
    this.refs -= 1;
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  read(): string | null {
    return this.queued.shift() ?? null;
  }
  press(keys: string): void {
    this.queued.push(keys);
    this.emit('readable');
  }
}

let createLiveView: typeof CreateLiveView;
let LIVE_VIEW_MAX_FPS: number;

beforeAll(async () => {
  // ink decides once, when it is first imported, whether it runs in CI; there it draws only the
  // last frame at unmount. These tests watch frames as they come, as on a person's terminal.
  vi.stubEnv('CI', 'false');
  vi.stubEnv('CONTINUOUS_INTEGRATION', 'false');
  ({ createLiveView, LIVE_VIEW_MAX_FPS } = await import('../../reports/live/create-live-view.ts'));
});

function terminal(options: { stdinIsTty?: boolean } = {}) {
  const stdout = new FakeTtyStdout();
  const stdin = new FakeTtyStdin(options.stdinIsTty ?? true);
  const onQuit = vi.fn();
  const onInterrupt = vi.fn();
  let wallMs = 1_000_000;
  const view = createLiveView({
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    onQuit,
    onInterrupt,
    wallNowMs: () => wallMs,
  });
  return { stdout, stdin, onQuit, onInterrupt, view, advanceWall: (ms: number) => void (wallMs += ms) };
}

/** Starts the fake run and waits until the keys are live (ink subscribes to input in an effect). */
async function started(t: ReturnType<typeof terminal>): Promise<void> {
  t.view.start(fakeRunStart());
  t.view.samples([fakeSample(1)]);
  await vi.waitFor(() => expect(t.stdin.rawModes).toContain(true));
}

describe('live view on a terminal (createLiveView)', () => {
  it('behavior: draws the run as samples come, with the log lines routed to it', async () => {
    const t = terminal();
    await started(t);
    t.advanceWall(12_000);
    t.view.message?.('warn', 'broker restart: 40 devices reconnecting');
    t.view.samples([fakeSample(2), fakeSample(3)]);
    await vi.waitFor(() => expect(t.stdout.lastFrame()).toContain('per second   published 304 · accepted 300'));
    expect(t.stdout.lastFrame()).toContain('warn         +12s broker restart: 40 devices reconnecting');
    expect(t.stdout.lastFrame()).toContain('accepted/s   ▃▆█  peak 300 in the last 3s');
    await t.view.stop(fakeRunEnd({ ok: true }));
  });

  it('behavior: p freezes the frame while samples keep arriving; p again shows the latest', async () => {
    const t = terminal();
    await started(t);
    t.stdin.press('p');
    await vi.waitFor(() => expect(t.stdout.lastFrame()).toContain('paused — p to resume'));
    for (let i = 2; i <= 5; i++) t.view.samples([fakeSample(i)]);
    t.view.message?.('info', 'epoch 1 closed');
    // Past ink's frame interval: its throttled redraw was scheduled before this timer, so it has run.
    await new Promise((resolve) => setTimeout(resolve, 1000 / LIVE_VIEW_MAX_FPS + 50));
    expect(t.stdout.lastFrame()).toContain('per second   published 104 · accepted 100');
    expect(t.stdout.lastFrame()).not.toContain('epoch 1 closed');
    t.stdin.press('p');
    await vi.waitFor(() => expect(t.stdout.lastFrame()).toContain('per second   published 504 · accepted 500'));
    expect(t.stdout.lastFrame()).toContain('info         +0s epoch 1 closed');
    expect(t.stdout.lastFrame()).toContain('q quit · p pause');
    expect(t.onQuit).not.toHaveBeenCalled();
    await t.view.stop(fakeRunEnd({ ok: true }));
  });

  it('behavior: q calls onQuit once and shows the stop under way; a second q calls onInterrupt', async () => {
    const t = terminal();
    await started(t);
    t.stdin.press('q');
    expect(t.onQuit).toHaveBeenCalledTimes(1);
    expect(t.onInterrupt).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(t.stdout.lastFrame()).toContain('stopping: settling what closed, writing the report…'));
    t.stdin.press('q');
    expect(t.onQuit).toHaveBeenCalledTimes(1);
    expect(t.onInterrupt).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(t.stdout.lastFrame()).toContain('interrupted: stopping at once, run.db kept'));
    await t.view.fail?.(new Error('interrupted'));
  });

  it('behavior: Ctrl-C in raw mode (no SIGINT) calls onInterrupt, each time, and ink does not exit on it', async () => {
    const t = terminal();
    await started(t);
    t.stdin.press('\x03');
    t.stdin.press('\x03');
    expect(t.onInterrupt).toHaveBeenCalledTimes(2);
    expect(t.onQuit).not.toHaveBeenCalled();
    // Still mounted: a sample still redraws.
    t.view.samples([fakeSample(7)]);
    await vi.waitFor(() => expect(t.stdout.lastFrame()).toContain('published 704'));
    await t.view.fail?.(new Error('interrupted'));
  });

  it('behavior: a burst of log lines and samples is drawn in at most two frames, not one each', async () => {
    const t = terminal();
    await started(t);
    const frames = () => t.stdout.writes.filter((w) => stripVTControlCharacters(w).trim() !== '').length;
    // Past ink's frame interval, so the burst below starts a fresh one.
    await new Promise((resolve) => setTimeout(resolve, 1000 / LIVE_VIEW_MAX_FPS + 50));
    const before = frames();
    for (let i = 0; i < 100; i++) {
      t.view.message?.('info', `line ${i}`);
      t.view.samples([fakeSample(2 + i)]);
    }
    await vi.waitFor(() => expect(t.stdout.lastFrame()).toContain('info         +0s line 99'));
    // The first of the burst at once, the last when the interval is over; none in between.
    expect(frames() - before).toBeLessThanOrEqual(2);
    await t.view.stop(fakeRunEnd({ ok: true }));
  });

  it('behavior: stop draws the verdict and the report path, then gives the terminal back (raw mode off, input unref’d, cursor shown)', async () => {
    const t = terminal();
    await started(t);
    expect(t.stdout.written).toContain('\u001B[?25l');
    await t.view.stop(fakeRunEnd({ ok: false, failedChecks: 1, runDir: 'runs/x' }));
    expect(t.stdout.lastFrame()).toContain('FAIL · 1 check failed\nreport runs/x/report.md');
    expect(t.stdin.rawModes.at(-1)).toBe(false);
    expect(t.stdin.refs).toBe(0);
    expect(t.stdin.listenerCount('readable')).toBe(0);
    expect(t.stdout.written.lastIndexOf('\u001B[?25h')).toBeGreaterThan(t.stdout.written.lastIndexOf('\u001B[?25l'));
    // Unmounted: nothing the run says afterwards is drawn, and keys do nothing.
    const writes = t.stdout.writes.length;
    t.view.samples([fakeSample(9)]);
    t.view.message?.('warn', 'after the end');
    t.stdin.press('q');
    expect(t.stdout.writes.length).toBe(writes);
    expect(t.onQuit).not.toHaveBeenCalled();
  });

  it('behavior: a sample still waiting for its frame when the run stops is in the last frame, and nothing is drawn after it', async () => {
    const t = terminal();
    await started(t);
    t.view.samples([fakeSample(2)]);
    t.view.samples([fakeSample(3)]);
    await t.view.stop(fakeRunEnd({ ok: true }));
    expect(t.stdout.lastFrame()).toContain('per second   published 304 · accepted 300');
    const writes = t.stdout.writes.length;
    await new Promise((resolve) => setTimeout(resolve, 1000 / LIVE_VIEW_MAX_FPS + 50));
    expect(t.stdout.writes.length).toBe(writes);
  });

  it('behavior: fail tears the view down with the reason on its last frame', async () => {
    const t = terminal();
    await started(t);
    await t.view.fail?.(new Error('anvil exited with code 1'));
    expect(t.stdout.lastFrame()).toContain('the run stopped without a report: anvil exited with code 1');
    expect(t.stdin.rawModes.at(-1)).toBe(false);
    expect(t.stdin.refs).toBe(0);
  });

  it('behavior: with no terminal on stdin the view draws without raw mode and says the keys are off', async () => {
    const t = terminal({ stdinIsTty: false });
    t.view.start(fakeRunStart());
    t.view.samples([fakeSample(1)]);
    await vi.waitFor(() => expect(t.stdout.lastFrame()).toContain('keys off (stdin is not a terminal) · Ctrl-C stops the run'));
    expect(t.stdin.rawModes).toEqual([]);
    await t.view.stop(fakeRunEnd({ ok: true }));
    expect(t.stdout.lastFrame()).toContain('PASS');
  });

  it('behavior: a view stopped before it drew anything writes nothing and leaves stdin alone', async () => {
    const t = terminal();
    await t.view.stop(fakeRunEnd({ ok: true }));
    expect(t.stdout.writes).toEqual([]);
    expect(t.stdin.rawModes).toEqual([]);
  });
});
