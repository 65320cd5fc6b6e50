import type { RunReport } from '../types.ts';

/**
 * A report as the HTML page reads it: any field may be absent. report.html is drawn from the
 * report.json of runs of every age (and of damaged files), so each chart asks for what it needs
 * and says which field is missing instead of the page failing.
 */
export type LooseReport = DeepPartial<RunReport>;

/** Every field optional, all the way down: what a renderer may assume of a file of another version. */
export type DeepPartial<T> = T extends ReadonlyArray<infer E> ? ReadonlyArray<DeepPartial<E>> : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
