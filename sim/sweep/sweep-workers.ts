import { availableParallelism } from 'node:os';
import Tinypool from 'tinypool';
import type { SweepContext, SweepTask, SweepTaskResult } from './sweep-task.ts';

/**
 * Every core: the main thread only hands out tasks and prints progress while the workers run,
 * so leaving a core to it would idle one of two on the machines the target is set for.
 */
export function defaultSweepWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Runs the tasks on `workers` tinypool threads. The context (calibration columns in
 * SharedArrayBuffers, sweep-task.ts) goes to each worker once, as workerData; a task carries only
 * its policy and seeds. Results come back in the tasks' order whatever thread ran which, and each
 * depends on its task alone: the sweep is the same for any number of workers.
 */
export async function runSweepTasks(
  context: SweepContext,
  tasks: readonly SweepTask[],
  workers: number,
  onDone: (result: SweepTaskResult, done: number) => void = () => undefined,
): Promise<SweepTaskResult[]> {
  const pool = new Tinypool({
    filename: new URL('./sweep-worker-entry.js', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    workerData: context,
  });
  let done = 0;
  try {
    return await Promise.all(tasks.map(async (task) => {
      const result = (await pool.run(task)) as SweepTaskResult;
      done += 1;
      onDone(result, done);
      return result;
    }));
  } finally {
    await pool.destroy();
  }
}
