// Types of parent-watchdog.js (plain JavaScript so that children without a loader import it).
import type { Worker } from 'node:worker_threads';

export declare const DEFAULT_POLL_MS: number;
export declare const PARENT_PID_ENV: 'PINBENCH_PARENT_PID';

/** What the watchdog reads of a process: `process` itself, or a unit test's fake. */
export interface WatchedProcess {
  readonly ppid: number;
  readonly connected?: boolean;
  send?: unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  off(event: 'disconnect', listener: () => void): unknown;
}

export type ParentGoneReason = 'disconnect' | 'reparented';

/** Calls `onParentGone` once when the parent is gone (IPC closed, or parent pid not `parentPid`); returns a stop function. */
export declare function watchParent(options: { onParentGone: (why: ParentGoneReason) => void; pollMs?: number; parentPid?: number; proc?: WatchedProcess }): () => void;

/** A worker thread that sends this process `signal` (default SIGKILL) once its parent pid changed. */
export declare function watchParentFromThread(options?: { pollMs?: number; signal?: NodeJS.Signals; parentPid?: number }): Worker;
