// `node --import <this file> <program>`: gives a program we do not own (the circom compiler) the
// run's parent watchdog, so it dies with the run even while its main thread is busy. The run
// passes its pid in PARENT_PID_ENV: a child killed with its parent right at spawn would otherwise
// take init for its parent and watch it. Taken out of the environment, so that nothing this
// program starts inherits it.
import { PARENT_PID_ENV, watchParentFromThread } from './parent-watchdog.js';

const given = Number(process.env[PARENT_PID_ENV]);
delete process.env[PARENT_PID_ENV];
watchParentFromThread(Number.isInteger(given) && given > 0 ? { parentPid: given } : {});
