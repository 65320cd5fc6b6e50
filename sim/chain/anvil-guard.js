// The anvil guard: a small Node process between the run and the anvil binary, which cannot watch
// its parent itself. Forked by sim/chain/guarded-anvil.ts as `anvil-guard.js <binary> <args…>`.
// Plain JavaScript, so it starts without a loader (from the sources or the installed package).
//
// - It spawns anvil, tells the run anvil's pid, and forwards anvil's stdout and stderr.
// - When the run is gone (IPC closed, or this process handed to init), it sends anvil SIGTERM,
//   on which anvil writes its `--state` file (what `pinbench resume` reads), then SIGKILL after
//   STOP_GRACE_MS, and exits once anvil has.
// - When anvil exits, it tells the run how and ends the same way (the same exit code, or the
//   same signal), so the guard's own exit says what anvil's did.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { watchParent } from '../../core/parent-watchdog.js';

/** SIGTERM → SIGKILL once the run is gone: within the 5 s by which every child of a killed run must be dead. */
const STOP_GRACE_MS = 3000;

const [binary, ...args] = process.argv.slice(2);
if (process.send === undefined || binary === undefined) {
  process.stderr.write('pinbench anvil guard: start it through the run (sim/chain/guarded-anvil.ts), with the anvil binary and its arguments\n');
  process.exit(2);
}

const tell = (message, then) => {
  if (process.connected) process.send(message, undefined, {}, () => then?.());
  else then?.();
};

// Forward anvil's output while the run reads it; once the run is gone the pipes break, and the
// output is still read (and dropped), so anvil never blocks on a full pipe while it saves.
let outputBroken = false;
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => (outputBroken = true));
const forward = (to) => (chunk) => {
  if (!outputBroken) to.write(chunk);
};

const anvil = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
anvil.stdout.on('data', forward(process.stdout));
anvil.stderr.on('data', forward(process.stderr));
anvil.once('spawn', () => tell({ type: 'spawned', pid: anvil.pid }));
let spawnFailed = false;
anvil.once('error', (error) => {
  // A failed spawn is followed by 'close' with a negative code: the error is the whole story.
  spawnFailed = true;
  tell({ type: 'error', message: error.message, code: error.code }, () => process.exit(1));
});

// A signal meant for anvil that reached the guard is passed on. SIGINT is left to the terminal,
// which sends it to the whole foreground group, anvil included (as before there was a guard).
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => anvil.kill(signal));
process.on('SIGINT', () => undefined);

// The run may ask for a signal before it knows anvil's pid (it then signals anvil directly).
process.on('message', (message) => {
  if (message?.type === 'kill' && anvil.pid !== undefined) anvil.kill(message.signal);
});

let stopTimer;
watchParent({
  onParentGone: () => {
    anvil.kill('SIGTERM');
    stopTimer = setTimeout(() => anvil.kill('SIGKILL'), STOP_GRACE_MS);
  },
});

// 'close', not 'exit': anvil's last lines are forwarded before the guard goes.
anvil.once('close', (code, signal) => {
  clearTimeout(stopTimer);
  if (spawnFailed) return;
  tell({ type: 'exited', code, signal }, () => {
    if (signal === null) process.exit(code ?? 1);
    for (const name of ['SIGTERM', 'SIGHUP', 'SIGINT']) process.removeAllListeners(name);
    process.kill(process.pid, signal);
    // A signal Node ignores for itself (SIGPIPE) does not end the guard: exit as a shell reports it.
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100);
  });
});
