import type { Random } from '../../core/ports.ts';
import type { HonestUpload, PlannedPublish, TrackerBehaviour } from '../tracker/ports.ts';

// The tracker's behaviour hook (devices/tracker/ports.ts): onUpload returns what to publish
// instead of the honest upload; outageMs is asked at each scheduled upload while online.
export type { HonestUpload, PlannedPublish, TrackerBehaviour };

export interface BehaviourContext {
  readonly nowMs: number;
  readonly random: Random;
  readonly deviceId: string;
}

/** The honest upload as a publish, unchanged. */
export const unchanged = (honest: HonestUpload): PlannedPublish => ({ topic: honest.topic, payload: honest.payload, timestampS: honest.timestampS });
