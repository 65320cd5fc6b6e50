import { resolve } from 'node:path';
import type { ScenarioInput } from '../../scenarios/index.ts';
import type { Capture } from '../capture/capture-reader.ts';

export type ReplaySpeed = number | 'max';

/** What of the recording run's scenario carries over: whatever decides what is accepted and paid. */
const KEPT = ['seed', 'area', 'reward', 'ingest', 'topics', 'codec', 'circuit'] as const;

/**
 * `pinbench replay <capture>`'s scenario: the recording run's epochs (from its calendar, so a run
 * that was stopped early still replays against the epochs it had), rule, proof shape, ingest
 * limits, topics and payload codec, with one replay entry as its fleet, named `replay-<original>`. Speed 1 is
 * real time (from the capture's start, sim/replay/replay-time.ts); any other speed is accelerated
 * time at that speed, `max` as fast as the run can go.
 */
export function replayScenarioOf(capture: Capture, speed: ReplaySpeed): ScenarioInput {
  const original = capture.meta.scenario;
  const kept = Object.fromEntries(KEPT.filter((k) => original[k] !== undefined).map((k) => [k, original[k]]));
  const { startS, lengthS, count } = capture.meta.calendar;
  const recordedTime = (original.time ?? {}) as { sliceMs?: number };
  const name = `replay-${capture.meta.scenarioName}`.slice(0, 100);
  return {
    ...kept,
    name,
    description: `replay of ${capture.path}`,
    fleet: [{ replay: resolve(capture.path) }],
    epochs: { lengthS, count },
    time:
      speed === 1
        ? { mode: 'realtime' }
        : {
            mode: 'accelerated',
            speed,
            startAt: new Date(startS * 1000).toISOString(),
            ...(recordedTime.sliceMs === undefined ? {} : { sliceMs: recordedTime.sliceMs }),
          },
  } as ScenarioInput;
}
