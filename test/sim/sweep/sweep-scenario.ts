import { parseScenario, type Scenario } from '../../../scenarios/index.ts';

/**
 * A small fleet with honest, faulty and cheating devices, two 90-second epochs at a 5-second
 * upload period (18 readings each, K = 8 taken): calibrates in about a second.
 */
export function sweepTestScenario(seed = 2027): Scenario {
  return parseScenario({
    name: 'sweep-calibration',
    seed,
    area: 'berlin',
    fleet: [
      { count: 3, motion: 'car', uploadPeriodS: 5 },
      { count: 2, motion: 'walk', uploadPeriodS: 5 },
      { count: 1, motion: 'car', uploadPeriodS: 5, faults: ['corrupted-packets'] },
      { count: 1, motion: 'car', uploadPeriodS: 5, adversary: 'gps-spoofing' },
      { count: 1, motion: 'car', uploadPeriodS: 5, adversary: { name: 'sybil', clones: 1 } },
      { count: 1, motion: 'car', uploadPeriodS: 5, adversary: 'forged-signature' },
    ],
    epochs: { lengthS: 90, count: 2 },
    time: { mode: 'accelerated' },
    circuit: { batchSize: 4, readingsPerDevice: 8 },
  }, '(object)');
}
