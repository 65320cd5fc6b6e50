/**
 * Entry of the fleet process, forked by the run (`child_process.fork` with the tsx loader).
 * It exits when the run goes away: a fleet must never outlive its broker.
 */
import { watchParent } from '../../core/parent-watchdog.js';
import { runFleetChild } from './child-fleet.ts';
import type { ChildMessage, ParentMessage } from './ipc-messages.ts';

if (process.send === undefined) {
  process.stderr.write('pinbench fleet process: start it through the run (it needs an IPC channel)\n');
  process.exit(2);
}
// The run gone (IPC closed, or this process handed to init): its devices stop with it.
watchParent({ onParentGone: () => process.exit(1) });
process.on('uncaughtException', (error) => {
  process.stderr.write(`pinbench fleet process: ${error.stack ?? String(error)}\n`);
  process.exit(1);
});
runFleetChild(
  {
    send(message: ChildMessage, sent?: () => void) {
      if (message.type === 'failed') process.stderr.write(`pinbench fleet process: ${message.message}\n`);
      if (!process.connected) return sent?.();
      if (sent === undefined) process.send!(message);
      else process.send!(message, undefined, {}, () => sent());
    },
    onMessage: (handler) => process.on('message', (message) => handler(message as ParentMessage)),
  },
  (code) => process.exit(code),
);
