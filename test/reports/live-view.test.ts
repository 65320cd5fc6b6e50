import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { LiveView } from '../../reports/live/live-view.ts';
import { initialModel, pressKey, shownData, withEnd, withFailure, withMessage, withSamples, withStart, type LiveModel } from '../../reports/live/live-model.ts';
import { fakeRunEnd, fakeRunStart, fakeSample } from '../support/fake-run-stream.ts';

const h = React.createElement;

/** The fake run's first eight seconds: accepted/s 100, 200, … 800. */
function eightSeconds(): LiveModel {
  const model = withStart(initialModel(), fakeRunStart());
  return withSamples(model, Array.from({ length: 8 }, (_, i) => fakeSample(i + 1)));
}

function frameOf(model: LiveModel): string {
  const view = render(h(LiveView, { model, onKey: () => {} }));
  return stripVTControlCharacters(view.lastFrame() ?? '');
}

afterEach(() => cleanup());

describe('live view: the frame', () => {
  it('behavior: a hand-made sample sequence (fakes) shows the run, its time and epoch, rates, sparkline, rejections and the chain', () => {
    const frame = frameOf(eightSeconds());
    expect(frame).toContain('pinbench  city-fake · seed 7 · 4,000 devices · accelerated');
    expect(frame).toContain('run folder   runs/2026-01-01T00-00-00-city-fake');
    expect(frame).toContain('time         wall 8s · simulated 1h 20m 00s of 12h 00m 00s');
    expect(frame).toContain('epoch        2 of 12 · phase fleet');
    expect(frame).toContain('devices      online 3,980 · backoff 12 · off 8');
    expect(frame).toContain('connections  3,990');
    expect(frame).toContain('per second   published 804 · accepted 800');
    expect(frame).toContain('accepted/s   ▂▃▄▅▅▆▇█  peak 800 in the last 8s');
    expect(frame).toContain('totals       published 8,000 · accepted 7,920 · rejected 80');
    expect(frame).toContain('rejections   signature.invalid 48 · timestamp.skew 24 · replay 8');
    expect(frame).toContain('latency      p50 3.1 ms · p95 8.0 ms · p99 13 ms');
    expect(frame).toContain('process      cpu 87% · rss 312 MB · loop lag p99 4.2 ms');
    expect(frame).toContain('proofs       queued 3 · proving 1 · settled 12 · failed 0');
    expect(frame).toContain('settlements  12 · gas 3.41M · last proof 1.2 s');
    expect(frame).toContain('rewards      1,234.5 PINR credited');
    expect(frame).toContain('q quit · p pause');
    // No real device attached, no timer lateness (accelerated): neither row is drawn.
    expect(frame).not.toContain('real devices');
    expect(frame).not.toContain('timer lateness');
    // Within 24 rows, so ink never has to clear the screen between frames.
    expect(frame.split('\n').length).toBeLessThan(24);
  });

  it('behavior: the sparkline spans the last 60 samples and the rejections the top three, the rest counted', () => {
    let model = withStart(initialModel(), fakeRunStart());
    model = withSamples(model, Array.from({ length: 70 }, (_, i) => fakeSample(i, { acceptedPerS: i < 62 ? 0 : 700 })));
    model = withSamples(model, [fakeSample(70, { acceptedPerS: 0, rejectedByReason: { a: 5, b: 5, 'acl.subscribe': 9, c: 1, d: 0 } })]);
    const frame = frameOf(model);
    expect(frame).toContain(`accepted/s   ${'▁'.repeat(51)}${'█'.repeat(8)}▁  peak 700 in the last 60s`);
    expect(frame).toContain('rejections   acl.subscribe 9 · a 5 · b 5 · +1 more');
  });

  it('behavior: realtime timer lateness, attached real devices, log lines with their time, and the warning count', () => {
    let model = withStart(initialModel(), fakeRunStart({ timeMode: 'realtime' }));
    model = withMessage(model, { level: 'info', text: 'compiling the circuit', atS: null });
    model = withMessage(model, { level: 'warn', text: 'broker restart: 40 devices reconnecting\nsecond line not shown', atS: 42 });
    model = withSamples(model, [
      fakeSample(42, {
        timerLatenessP99Ms: 1.06,
        warnings: 2,
        latencyMs: null,
        attached: [
          { deviceId: '351234567890123', state: 'online', publishes: 42 },
          { deviceId: '351234567890124', state: 'offline', publishes: 0 },
          { deviceId: '351234567890125', state: 'never heard from', publishes: 0 },
          { deviceId: '351234567890126', state: 'online', publishes: 1 },
        ],
      }),
    ]);
    const frame = frameOf(model);
    expect(frame).toContain('seed 7 · 4,000 devices · realtime');
    expect(frame).toContain('timer lateness p99 1.1 ms');
    expect(frame).toContain('latency      — (nothing accepted this second)');
    expect(frame).toContain('real devices 351234567890123 online · 42 publishes');
    expect(frame).toContain('             351234567890125 never heard from · 0 publishes');
    expect(frame).toContain('             +1 more');
    expect(frame).toContain('info         compiling the circuit');
    expect(frame).toContain('warn         +42s broker restart: 40 devices reconnecting');
    expect(frame).not.toContain('second line');
    expect(frame).toContain('q quit · p pause   2 warnings logged');
  });

  it('behavior: before the run starts, and before its first sample, the view says what it waits for', () => {
    expect(frameOf(withMessage(initialModel(), { level: 'info', text: 'starting anvil', atS: null }))).toContain('pinbench  waiting for the run to start…');
    const frame = frameOf(withStart(initialModel(), fakeRunStart()));
    expect(frame).toContain('time         waiting for the first sample…');
    expect(frame).not.toContain('connections');
  });

  it('behavior: outside the epoch calendar, and in the settling phase', () => {
    const run = fakeRunStart();
    const before = withSamples(withStart(initialModel(), run), [fakeSample(1, { epoch: null, simTimeS: run.startSimMs / 1000 - 30 })]);
    expect(frameOf(before)).toContain('time         wall 1s · simulated -30s of 12h 00m 00s');
    expect(frameOf(before)).toContain('epoch        before the first of 12 · phase fleet');
    const after = withSamples(withStart(initialModel(), run), [fakeSample(80, { epoch: null, simTimeS: run.endSimMs / 1000 + 5, phase: 'settling' })]);
    expect(frameOf(after)).toContain('epoch        all 12 over · phase settling');
  });

  it('behavior: paused, stopping, interrupted, and the verdicts of the last frame', () => {
    const paused = pressKey(eightSeconds(), 'p', { ctrl: false }).model;
    expect(frameOf(paused)).toContain('paused — p to resume');
    const stopping = pressKey(eightSeconds(), 'q', { ctrl: false }).model;
    expect(frameOf(stopping)).toContain('stopping: settling what closed, writing the report… (q again: stop at once)');
    const interrupted = pressKey(stopping, 'q', { ctrl: false }).model;
    expect(frameOf(interrupted)).toContain('interrupted: stopping at once, run.db kept (Ctrl-C again to exit at once)');
    const passed = frameOf(withEnd(eightSeconds(), fakeRunEnd({ ok: true })));
    expect(passed).toContain('PASS\nreport runs/2026-01-01T00-00-00-city-fake/report.md');
    expect(passed).not.toContain('q quit');
    const failed = withEnd(eightSeconds(), fakeRunEnd({ ok: false, failedChecks: 2, failedThresholds: 1, stoppedByUser: true, runDir: '/tmp/run-x/' }));
    expect(frameOf(failed)).toContain('STOPPED · 2 checks failed · 1 threshold breached · 2 epochs left open in run.db\nreport /tmp/run-x/report.md — covers what ran before q');
    expect(frameOf(withEnd(eightSeconds(), fakeRunEnd({ ok: false, failedChecks: 1 })))).toContain('FAIL · 1 check failed\nreport');
    expect(frameOf(withFailure(eightSeconds(), new Error('anvil exited\nstack…')))).toContain('the run stopped without a report: anvil exited');
    const warned = withEnd(withSamples(eightSeconds(), [fakeSample(9, { warnings: 1 })]), fakeRunEnd({ ok: true, stoppedByUser: true, runDir: 'runs/2026-12-07T15-20-50-922Z-live-rt' }));
    expect(frameOf(warned)).toContain('STOPPED · 2 epochs left open in run.db   1 warning logged\nreport runs/2026-12-07T15-20-50-922Z-live-rt/report.md — covers what ran before q');
  });

  it('behavior: every line of a typical frame fits 80 columns, whatever the view is doing', () => {
    const base = withMessage(eightSeconds(), { level: 'warn', text: 'broker restart: 40 devices reconnecting', atS: 42 });
    const frames = [
      base,
      pressKey(base, 'p', { ctrl: false }).model,
      pressKey(base, 'q', { ctrl: false }).model,
      pressKey(base, 'c', { ctrl: true }).model,
      withEnd(base, fakeRunEnd({ ok: false, failedChecks: 2 })),
      withEnd(base, fakeRunEnd({ ok: false, failedChecks: 2, failedThresholds: 1, stoppedByUser: true })),
    ].map(frameOf);
    const wide = frames.flatMap((f) => f.split('\n')).filter((line) => line.length > 80);
    expect(wide).toEqual([]);
  });

  it('behavior: keys reach the view through a fake stdin in raw mode, Ctrl-C as a key (ink does not exit on it)', async () => {
    const onKey = vi.fn();
    const view = render(h(LiveView, { model: eightSeconds(), onKey }));
    // useInput subscribes in an effect, after the first frame.
    await vi.waitFor(() => {
      view.stdin.write('q');
      expect(onKey).toHaveBeenCalled();
    });
    onKey.mockClear();
    view.stdin.write('p');
    view.stdin.write('\x03');
    expect(onKey.mock.calls.map(([input, key]) => [input, key.ctrl])).toEqual([
      ['p', false],
      ['c', true],
    ]);
  });
});

describe('live view: keys and pause (the model)', () => {
  it('behavior: p freezes what is shown while samples keep arriving; p again shows the latest', () => {
    let model = pressKey(eightSeconds(), 'p', { ctrl: false }).model;
    model = withSamples(model, [fakeSample(9), fakeSample(10)]);
    model = withMessage(model, { level: 'warn', text: 'late', atS: 10 });
    expect(shownData(model).sample?.tS).toBe(8);
    expect(shownData(model).messages).toEqual([]);
    model = pressKey(model, 'p', { ctrl: false }).model;
    expect(shownData(model).sample?.tS).toBe(10);
    expect(shownData(model).acceptedHistory).toHaveLength(10);
    expect(shownData(model).messages.map((m) => m.text)).toEqual(['late']);
  });

  it('behavior: q asks to quit once, then to interrupt; Ctrl-C always interrupts; after the end keys do nothing', () => {
    const first = pressKey(eightSeconds(), 'q', { ctrl: false });
    expect(first.effect).toBe('quit');
    const second = pressKey(first.model, 'q', { ctrl: false });
    expect(second.effect).toBe('interrupt');
    expect(pressKey(second.model, 'c', { ctrl: true }).effect).toBe('interrupt');
    expect(pressKey(eightSeconds(), 'c', { ctrl: true }).effect).toBe('interrupt');
    expect(pressKey(eightSeconds(), 'x', { ctrl: false }).effect).toBe(null);
    const over = withEnd(eightSeconds(), fakeRunEnd({ ok: true }));
    expect(pressKey(over, 'q', { ctrl: false })).toEqual({ model: over, effect: null });
  });

  it('behavior: q while paused resumes the view, and p does not pause a stopping run', () => {
    const paused = pressKey(eightSeconds(), 'p', { ctrl: false }).model;
    const stopping = pressKey(withSamples(paused, [fakeSample(9)]), 'q', { ctrl: false }).model;
    expect(stopping.frozen).toBe(null);
    expect(shownData(stopping).sample?.tS).toBe(9);
    expect(pressKey(stopping, 'p', { ctrl: false }).model.frozen).toBe(null);
  });

  it('behavior: the end shows the latest figures even when the view was paused', () => {
    const paused = withSamples(pressKey(eightSeconds(), 'p', { ctrl: false }).model, [fakeSample(9)]);
    expect(shownData(withEnd(paused, fakeRunEnd({ ok: true }))).sample?.tS).toBe(9);
  });
});
