// `node --import <this file> <program>`: gives a program we do not own (the circom compiler) the
// run's parent watchdog, so it dies with the run even while its main thread is busy.
import { watchParentFromThread } from './parent-watchdog.js';

watchParentFromThread();
