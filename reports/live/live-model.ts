import type { RunEnd, RunSample, RunStart } from '../output.ts';

/** Samples the sparkline of accepted/s spans: the last minute of a run. */
export const SPARK_WIDTH = 60;

/**
 * Log lines the view keeps on screen; older ones scroll away. Few, so the whole frame stays
 * within 24 rows: a frame as tall as the terminal makes ink clear the screen on every redraw.
 */
export const MESSAGES_SHOWN = 3;

export interface LiveMessage {
  level: 'info' | 'warn';
  /** The first line of the text: the view has a row per message. */
  text: string;
  /** Wall seconds since the fleet started, or null when the line came before it. */
  atS: number | null;
}

/** What the run has told the view: the start, the latest sample and the few before it, log lines. */
export interface LiveData {
  run: RunStart | null;
  sample: RunSample | null;
  /** accepted/s of the last SPARK_WIDTH samples, oldest first. */
  acceptedHistory: readonly number[];
  messages: readonly LiveMessage[];
}

/** Where the view is in its life, which the footer says. */
export type LiveStatus =
  | { kind: 'running' }
  /** `q` was pressed: the run stops its fleet, settles what closed and writes the report. */
  | { kind: 'stopping' }
  /** Ctrl-C, or `q` a second time: the run stops at once, keeping run.db. */
  | { kind: 'interrupting' }
  /** The run's verdict as the CLI prints it: STOPPED when the user stopped it (`q`), else PASS or FAIL. */
  | { kind: 'finished'; verdict: 'PASS' | 'FAIL' | 'STOPPED'; failedChecks: number; failedThresholds: number; reportPath: string; epochsOpen: number }
  | { kind: 'failed'; message: string };

export interface LiveModel {
  live: LiveData;
  /** While paused, `live` as it was when `p` was pressed: the screen shows this; null when not paused. */
  frozen: LiveData | null;
  status: LiveStatus;
}

export const initialModel = (): LiveModel => ({
  live: { run: null, sample: null, acceptedHistory: [], messages: [] },
  frozen: null,
  status: { kind: 'running' },
});

/** The data on screen: frozen while paused, else the latest. */
export const shownData = (model: LiveModel): LiveData => model.frozen ?? model.live;

export const withStart = (model: LiveModel, run: RunStart): LiveModel => ({ ...model, live: { ...model.live, run } });

/** Samples as they come (one a second, or a few at once after a stall): the last one is drawn. */
export function withSamples(model: LiveModel, samples: readonly RunSample[]): LiveModel {
  if (samples.length === 0) return model;
  const history = [...model.live.acceptedHistory, ...samples.map((s) => s.acceptedPerS)].slice(-SPARK_WIDTH);
  return { ...model, live: { ...model.live, sample: samples[samples.length - 1]!, acceptedHistory: history } };
}

export function withMessage(model: LiveModel, message: LiveMessage): LiveModel {
  const text = message.text.split('\n', 1)[0]!;
  return { ...model, live: { ...model.live, messages: [...model.live.messages, { ...message, text }].slice(-MESSAGES_SHOWN) } };
}

/** The run's end: the verdict on screen, and the latest figures even if the view was paused. */
export function withEnd(model: LiveModel, end: RunEnd): LiveModel {
  const { report } = end;
  const failedChecks = report.checks.filter((c) => !c.ok).length;
  const failedThresholds = (report.thresholds ?? []).filter((t) => !t.ok).length;
  const reportPath = `${end.runDir.replace(/\/+$/, '')}/report.md`;
  const verdict = end.stoppedByUser ? 'STOPPED' : report.ok ? 'PASS' : 'FAIL';
  const epochsOpen = report.stoppedByUser?.epochsOpen.length ?? 0;
  return { ...model, frozen: null, status: { kind: 'finished', verdict, failedChecks, failedThresholds, reportPath, epochsOpen } };
}

export const withFailure = (model: LiveModel, error: Error): LiveModel => ({
  ...model,
  frozen: null,
  status: { kind: 'failed', message: error.message.split('\n', 1)[0]! },
});

/** What a key asks of the run: nothing, stop early and report (`q`), or stop at once (Ctrl-C, second `q`). */
export type KeyEffect = 'quit' | 'interrupt' | null;

/**
 * A key press. `q` asks once for an early stop with a report; pressed again it asks to stop at
 * once, as Ctrl-C does each time (the CLI's handler turns a second interrupt into an exit, as
 * for SIGINT today, so the view must pass each one on). `p` pauses the view, not the run.
 */
export function pressKey(model: LiveModel, input: string, key: { ctrl: boolean }): { model: LiveModel; effect: KeyEffect } {
  const over = model.status.kind === 'finished' || model.status.kind === 'failed';
  if (over) return { model, effect: null };
  if (key.ctrl && input === 'c') return { model: { ...model, frozen: null, status: { kind: 'interrupting' } }, effect: 'interrupt' };
  if (key.ctrl) return { model, effect: null };
  if (input === 'q') {
    // Unpause as well: whoever stops the run wants to watch it settle.
    if (model.status.kind === 'running') return { model: { ...model, frozen: null, status: { kind: 'stopping' } }, effect: 'quit' };
    return { model: { ...model, frozen: null, status: { kind: 'interrupting' } }, effect: 'interrupt' };
  }
  if (input === 'p' && model.status.kind === 'running') return { model: { ...model, frozen: model.frozen === null ? model.live : null }, effect: null };
  return { model, effect: null };
}
