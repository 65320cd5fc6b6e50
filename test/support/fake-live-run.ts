/**
 * A fake run on the live view, for a person at a terminal or a test on a pseudo-terminal: it
 * feeds hand-made samples (test/support/fake-run-stream.ts) to the real view on this process's
 * stdout and stdin, and does with `q` and Ctrl-C what a run does. Nothing here runs a fleet.
 *
 *   npx tsx test/support/fake-live-run.ts [--samples 120] [--interval-ms 1000]
 *
 * Exits 0 when the samples run out, 130 after `q` (with a report) or Ctrl-C (without). It never
 * calls process.exit: the process ends because the view let go of the terminal.
 */
import { parseArgs } from 'node:util';
import { createLiveView } from '../../reports/live/index.ts';
import type { RunSample } from '../../reports/output.ts';
import { fakeRunEnd, fakeRunStart, fakeSample } from './fake-run-stream.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '120' }, 'interval-ms': { type: 'string', default: '1000' } } });
const total = Number(values.samples);
const intervalMs = Number(values['interval-ms']);

let second = 0;
let phase: RunSample['phase'] = 'fleet';
let settleLeft = Infinity;
let stoppedByUser = false;
let timer: NodeJS.Timeout | undefined;

const view = createLiveView({
  stdout: process.stdout,
  stdin: process.stdin,
  onQuit: () => {
    stoppedByUser = true;
    view.message?.('info', 'stopping early: the fleet is off, settling the epochs that closed');
    phase = 'settling';
    settleLeft = 3;
  },
  onInterrupt: () => {
    clearInterval(timer);
    process.exitCode = 130;
    void view.fail?.(new Error('interrupted (fake run)'));
  },
});

view.message?.('info', 'fake run: no fleet, no chain; samples are made up');
view.start(fakeRunStart());
timer = setInterval(() => {
  second += 1;
  if (phase === 'fleet' && second > total) {
    phase = 'settling';
    settleLeft = 3;
  }
  // A wave in accepted/s, so the sparkline has something to draw; nothing published once the fleet is off.
  const wave = Math.round(2000 + 1500 * Math.sin(second / 5));
  const perS = phase === 'fleet' ? wave : 0;
  view.samples([fakeSample(second, { phase, acceptedPerS: perS, publishedPerS: perS, warnings: Math.floor(second / 7) })]);
  if (phase === 'fleet' && second % 7 === 0) view.message?.('warn', `device 35123456789${String(second).padStart(4, '0')} lost its connection (fake)`);
  if (--settleLeft <= 0) {
    clearInterval(timer);
    process.exitCode = stoppedByUser ? 130 : 0;
    void view.stop(fakeRunEnd({ ok: true, stoppedByUser }));
  }
}, intervalMs);
