import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the heap grow past what the last full GC left alive, in percent. V8's own
 * choice, up to 4× when the mutator allocates fast, is what made most of a 10,000-device run's
 * peak: the run and fleet processes peaked at 855 + 1,050 MiB with it and 542 + 629 MiB at
 * 30 %, for about the same fleet time (README, Performance).
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Caps heap growth for this process and its worker threads. V8 reads the flag at every heap
 * limit it computes, so setting it at start-up takes effect; a V8 that no longer knows the flag
 * ignores it.
 */
export function limitHeapGrowth(percent: number = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
