// The watchdog every child process of a run keeps on its parent, so that no child outlives the
// run, whatever ends it (`kill -9` included: a dying process can warn no one, so each child has
// to notice for itself). Plain JavaScript, so that the children started without a loader (the
// prover, the anvil guard) import it as they are, and the TypeScript ones through its .d.ts.
import { Worker } from 'node:worker_threads';

/** How often the parent pid is read when nothing faster tells of the parent's death. */
export const DEFAULT_POLL_MS = 500;

/** The environment variable in which a parent gives its pid to a child without IPC (watch-parent-preload.js). */
export const PARENT_PID_ENV = 'PINBENCH_PARENT_PID';

/**
 * Calls `onParentGone(why)` once, when this process's parent is gone:
 * - `'disconnect'`: the IPC channel closed. A forked child learns of its parent's death this
 *   way at once: the kernel closes the parent's end of the socket pair with the process.
 * - `'reparented'`: the parent pid changed. An orphan is handed to init (pid 1) or to the
 *   nearest subreaper (a container's init, systemd --user), so any change means the parent
 *   died. Polled every `pollMs`: the backstop for a child without IPC, or one that closed it.
 *
 * `parentPid` is the parent's pid as the parent gave it (a child without IPC may start after its
 * parent died, and then its first parent pid is already init's); by default the parent pid now.
 * The poll's timer is unref'd: watching never keeps a process alive. `proc` is the process to
 * watch (this one; a unit test passes a fake). Returns a function that stops watching.
 *
 * @param {{ onParentGone: (why: 'disconnect' | 'reparented') => void, pollMs?: number, parentPid?: number, proc?: WatchedProcess }} options
 * @returns {() => void}
 */
export function watchParent({ onParentGone, pollMs = DEFAULT_POLL_MS, proc = process, parentPid = proc.ppid }) {
  let done = false;
  const gone = (why) => {
    if (done) return;
    stop();
    onParentGone(why);
  };
  const onDisconnect = () => gone('disconnect');
  const hasIpc = typeof proc.send === 'function';
  if (hasIpc) {
    proc.on('disconnect', onDisconnect);
    // Already closed before we listened: the parent died while this process was starting.
    if (proc.connected === false) queueMicrotask(onDisconnect);
  }
  const check = () => {
    if (proc.ppid !== parentPid) gone('reparented');
  };
  const timer = setInterval(check, pollMs);
  timer.unref();
  queueMicrotask(check);
  function stop() {
    done = true;
    clearInterval(timer);
    if (hasIpc) proc.off('disconnect', onDisconnect);
  }
  return stop;
}

/**
 * The watchdog for a program whose main thread may be stuck in one long synchronous call (the
 * circom compiler runs as one WebAssembly call, so no timer of its thread fires until it is
 * done): a worker thread polls the parent pid and, once it changed, sends this whole process
 * `signal` (SIGKILL by default, which needs no cooperation from the stuck thread). The thread is
 * unref'd, so it never keeps the process alive. `parentPid` as for watchParent.
 *
 * @param {{ pollMs?: number, signal?: NodeJS.Signals, parentPid?: number }} [options]
 * @returns {import('node:worker_threads').Worker}
 */
export function watchParentFromThread({ pollMs = DEFAULT_POLL_MS, signal = 'SIGKILL', parentPid = process.ppid } = {}) {
  const source = `
    const { workerData } = require('node:worker_threads');
    const check = () => {
      if (process.ppid !== workerData.parentPid) process.kill(process.pid, workerData.signal);
    };
    check();
    setInterval(check, workerData.pollMs);
  `;
  const worker = new Worker(source, { eval: true, workerData: { parentPid, pollMs, signal } });
  worker.unref();
  return worker;
}
