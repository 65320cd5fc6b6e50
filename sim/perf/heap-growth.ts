import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the heap grow past what the last full GC left alive, in percent, in a large
 * fleet's run and fleet processes. V8's own choice, up to 4× when the mutator allocates fast,
 * is what made most of a 10,000-device run's peak: the run and fleet processes peaked at
 * 855 + 1,050 MiB with it and 542 + 629 MiB at 30 %, for about the same fleet time.
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * The cap costs full GCs: at 1,000 devices in accelerated time it cost ~12 % of the readings
 * per second (day-1k's first 200 s: 734–893 k readings in four runs with it, 869–961 k in five
 * without; medians 806 k and 914 k), for a whole run well under 2 GiB either way (837–859 MiB
 * with it, 1,116 MiB without). Below this many devices V8 keeps its own growth; from it on
 * (where the whole run would pass 2 GiB without the cap) the cap is set.
 */
export const HEAP_CAP_FROM_DEVICES = 5000;

/** The heap growth cap for a process holding `devices` connections, or undefined for V8's own. */
export function heapGrowingPercentFor(devices: number): number | undefined {
  return devices >= HEAP_CAP_FROM_DEVICES ? HEAP_GROWING_PERCENT : undefined;
}

/**
 * Caps heap growth for this process and its worker threads when it holds a large fleet's
 * connections. V8 reads the flag at every heap limit it computes, so setting it once the fleet
 * is known takes effect; a V8 that no longer knows the flag ignores it.
 */
export function limitHeapGrowthFor(devices: number): void {
  const percent = heapGrowingPercentFor(devices);
  if (percent !== undefined) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
