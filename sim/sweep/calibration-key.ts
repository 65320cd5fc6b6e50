import { createHash } from 'node:crypto';
import type { Scenario } from '../../scenarios/index.ts';
import { CALIBRATION_FORMAT } from './calibration-file.ts';

/**
 * What a calibration depends on, hashed: the fleet (groups, profiles, routes by name), the epochs,
 * the seed, and everything else that changes a record (area, ramp, codec, topics, ingest limits,
 * the rule's K and step cap, simulated start and slice), with the calibration's own settings and
 * the file format. Thresholds, timeline, chain and report settings are left out: they change no record.
 */
export function calibrationKey(scenario: Scenario, settings: { epochs: number; resolution: number; devicesPerProfile?: number }): string {
  const time = scenario.time.mode === 'accelerated' ? { startAt: scenario.time.startAt ?? null, sliceMs: scenario.time.sliceMs } : { mode: 'realtime' };
  const shaping = {
    format: CALIBRATION_FORMAT,
    fleet: scenario.fleet,
    epochs: scenario.epochs,
    seed: scenario.seed,
    area: scenario.area,
    ramp: scenario.ramp,
    codec: scenario.codec,
    topics: scenario.topics,
    ingest: scenario.ingest,
    reward: scenario.reward,
    readingsPerDevice: scenario.circuit.readingsPerDevice,
    time,
    settings,
  };
  return createHash('sha256').update(JSON.stringify(shaping, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).digest('hex');
}
