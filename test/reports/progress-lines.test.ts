import { describe, expect, it } from 'vitest';
import { progressLines } from '../../reports/progress-lines.ts';
import type { RunSample } from '../../reports/output.ts';

/** A hand-made sample (unit test only): the fields a progress line reads. */
const sample = (tS: number, more: Partial<RunSample> = {}): RunSample => ({
  tS, simTimeS: 0, epoch: 0, phase: 'fleet', published: tS * 10, accepted: tS * 9, rejected: tS, publishedPerS: 10, acceptedPerS: 9, rejectedByReason: {},
  latencyMs: null, connections: 4, states: { online: 3, backoff: 1 }, cpuPercent: 50, rssMb: 100, loopLagP99Ms: 1, timerLatenessP99Ms: null,
  proofs: { queued: 2, proving: 1, settled: 3, failed: 0 }, settlements: { count: 3, gasUsed: '1', lastProveMs: 1 }, rewardsWei: '0', attached: [], warnings: 0, ...more,
});

describe('plain progress lines', () => {
  it('behavior: a line every 5 wall seconds from the samples while the fleet runs and the proofs settle, and one when the phase changes', () => {
    const lines: string[] = [];
    const out = progressLines((line) => void lines.push(line));
    out.start({ scenario: { name: 'x', seed: 1, devices: 4, epochs: 1, epochLengthS: 12 }, runDir: '/tmp/x', timeMode: 'accelerated', startSimMs: 0, endSimMs: 12_000 });
    out.samples([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((t) => sample(t)));
    out.samples([sample(11, { phase: 'settling' }), sample(15, { phase: 'settling', proofs: { queued: 0, proving: 1, settled: 5, failed: 1 } }), sample(16, { phase: 'claiming' }), sample(20, { phase: 'claiming' }), sample(25, { phase: 'claiming' })]);
    expect(lines).toEqual([
      'online 3/4, published 50, accepted 45, rejected 5',
      'online 3/4, published 100, accepted 90, rejected 10',
      'fleet stopped; proving and settling what is left (3 proof jobs)',
      'proofs: 0 queued, 1 proving, 5 settled, 1 failed',
      'settled; the owners claim their rewards',
    ]);
  });
});
