import type { DeepPartial } from '../html/loose-report.ts';
import type { SweepResult } from './sweep-result.ts';

/**
 * A sweep.json as the sweep page reads it: any field may be absent. The page is drawn from the
 * sweep.json of older or other versions (and of damaged files), so each part asks for what it
 * needs and says "not in this sweep" instead of the page failing.
 */
export type LooseSweep = DeepPartial<SweepResult>;
