// A tinypool worker of sim/sweep/sweep-workers.ts: the sweep's context comes once, in workerData
// (tinypool passes [its own data, ours]); each call runs one task.
import { workerData } from 'node:worker_threads';
import { runSweepTask, type SweepContext, type SweepTask, type SweepTaskResult } from './sweep-task.ts';

const context = (workerData as [unknown, SweepContext])[1];

export default function sweepWorker(task: SweepTask): SweepTaskResult {
  return runSweepTask(context, task);
}
