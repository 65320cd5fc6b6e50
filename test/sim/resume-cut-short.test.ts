import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenarios/index.ts';
import { cutShort } from '../../sim/run/resume-report.ts';

const scenario = parseScenario({ name: 'c', seed: 1, fleet: [{ count: 4 }], epochs: { lengthS: 60, count: 4 } } as never, 'c.yaml');

describe('cutShort: what a stop cut short, for the resumed report', () => {
  it('behavior: epochs that never ran, each epoch the resume closed, publishes lost with the store buffer, batches lost on the chain', () => {
    expect(
      cutShort({ scenario, lastEpoch: 1, unaccounted: 3, lostOnChain: 2, epochsClosed: [{ epoch: 1, devices: 4, readings: 17, flagged: 0 }] }),
    ).toEqual([
      'The run stopped during epoch 1 of 4 (0 to 3): 2 later epochs never ran.',
      'Epoch 1 was open when the run stopped: the resume closed it with the 17 readings run.db holds from 4 devices; readings the devices would have sent after the stop are not in it.',
      '3 acknowledged publishes of the fleet have neither a reading nor a rejection in run.db: the run store commits once a second (1 s), and the rows waiting for that commit were lost with the process.',
      '2 batches recorded as settled were not on the chain (its last save predates them): settled again.',
    ]);
  });

  it('behavior: a run that never got a reading into run.db, and one that had finished everything but its report', () => {
    expect(cutShort({ scenario, lastEpoch: undefined, unaccounted: 0, lostOnChain: 0, epochsClosed: [] })).toEqual(['The run stopped before run.db held any accepted reading.']);
    expect(cutShort({ scenario, lastEpoch: 3, unaccounted: 0, lostOnChain: 0, epochsClosed: [] })).toEqual([
      'Nothing: every epoch had closed and every accepted reading was in a proof job; the resume proved, settled and claimed what was left.',
    ]);
    expect(cutShort({ scenario, lastEpoch: 3, unaccounted: 1, lostOnChain: 1, epochsClosed: [] })[0]).toMatch(/^1 acknowledged publish of the fleet has neither a reading nor a rejection in run\.db/);
  });
});
