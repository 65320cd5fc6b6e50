import React from 'react';
import { render, type Instance, type Key } from 'ink';
import type { RunOutput } from '../output.ts';
import { initialModel, pressKey, withEnd, withFailure, withMessage, withSamples, withStart, type LiveModel } from './live-model.ts';
import { LiveView } from './live-view.ts';

const h = React.createElement;

/**
 * Frames a second at most. A sample comes once a second and keys now and then, so this is
 * plenty, and it keeps a burst of log lines from redrawing the screen dozens of times.
 */
export const LIVE_VIEW_MAX_FPS = 4;

export interface LiveViewOptions {
  /** The terminal to draw on (the CLI passes process.stdout when it is a TTY). */
  stdout: NodeJS.WriteStream;
  /** Where keys come from, in raw mode; when it is no TTY the view draws without keys. */
  stdin: NodeJS.ReadStream;
  /** `q`: stop the fleet early, settle what closed, write the report. Called at most once. */
  onQuit: () => void;
  /** Ctrl-C, or `q` after `q`: stop at once, keep run.db. Called on each such key, so a second one can exit at once as SIGINT does. */
  onInterrupt: () => void;
  /** Wall clock for the log lines' times (ms); tests give a fixed one. */
  wallNowMs?: () => number;
}

/**
 * The live terminal view as a run output: it draws what the run's outputs hear (start, a sample
 * a second, log lines, the end) and keeps no counters of its own. It takes the terminal at its
 * first call and gives it back (raw mode off, cursor shown, last frame left on screen) in
 * `stop` or `fail`, one of which must follow, so the process can exit.
 */
export function createLiveView(options: LiveViewOptions): RunOutput {
  const nowMs = options.wallNowMs ?? Date.now;
  let model: LiveModel = initialModel();
  let startedAtMs: number | null = null;
  let instance: Instance | null = null;
  let tornDown = false;

  let drawnAtMs = -Infinity;
  let pendingDraw: NodeJS.Timeout | null = null;

  const onKey = (input: string, key: Key): void => {
    const { model: next, effect } = pressKey(model, input, key);
    update(next, 'now');
    if (effect === 'quit') options.onQuit();
    else if (effect === 'interrupt') options.onInterrupt();
  };
  const tree = () => h(LiveView, { model, onKey });
  function draw(): void {
    if (tornDown) return;
    if (pendingDraw !== null) clearTimeout(pendingDraw);
    pendingDraw = null;
    drawnAtMs = performance.now();
    if (instance === null) {
      // Ctrl-C reaches the view as a key in raw mode (no SIGINT), so ink must not exit on it itself.
      // The console is left alone: nothing in a run writes through it (the run's logger comes
      // here as `message`), and ink's patch replaces the global console of whoever embeds the view.
      instance = render(tree(), { stdout: options.stdout, stdin: options.stdin, exitOnCtrlC: false, patchConsole: false, maxFps: LIVE_VIEW_MAX_FPS });
    } else instance.rerender(tree());
  }
  /**
   * A key is drawn at once. Samples and log lines are drawn at most LIVE_VIEW_MAX_FPS times a
   * second: each draw lays the whole screen out again (milliseconds of the run's event loop),
   * and a storm of warnings must not cost the run a layout per line.
   */
  function update(next: LiveModel, when: 'now' | 'soon'): void {
    if (tornDown || next === model) return;
    model = next;
    const waitMs = drawnAtMs + 1000 / LIVE_VIEW_MAX_FPS - performance.now();
    if (when === 'now' || waitMs <= 0) draw();
    else if (pendingDraw === null) {
      pendingDraw = setTimeout(draw, waitMs);
      // The run's end tears the view down; a pending frame must not hold the process until then.
      pendingDraw.unref();
    }
  }
  async function tearDown(last: LiveModel): Promise<void> {
    if (tornDown) return;
    tornDown = true;
    model = last;
    if (pendingDraw !== null) clearTimeout(pendingDraw);
    const mounted = instance;
    instance = null;
    // A view that never drew (the run failed before saying anything) leaves the terminal untouched.
    if (mounted === null) return;
    mounted.rerender(tree());
    // Asked for before unmounting, so the promise is there when ink settles it.
    const exited = mounted.waitUntilExit();
    mounted.unmount();
    await exited;
  }

  return {
    name: 'live',
    start(run) {
      startedAtMs = nowMs();
      update(withStart(model, run), 'now');
    },
    samples(samples) {
      update(withSamples(model, samples), 'soon');
    },
    message(level, text) {
      update(withMessage(model, { level, text, atS: startedAtMs === null ? null : (nowMs() - startedAtMs) / 1000 }), 'soon');
    },
    stop(end) {
      return tearDown(withEnd(model, end));
    },
    fail(error) {
      return tearDown(withFailure(model, error));
    },
  };
}
