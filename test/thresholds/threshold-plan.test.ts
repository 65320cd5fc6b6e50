import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { parseScenario } from '../../scenarios/index.ts';
import { metricContextOf, planThresholds } from '../../sim/thresholds/threshold-plan.ts';
import { evaluateThresholds, firstLost } from '../../sim/thresholds/evaluate.ts';
import { renderMetricsDocs } from '../../reports/metrics/metrics-docs.ts';
import { METRICS_DOCS_FILE } from '../support/metrics-docs.ts';
import type { RunReport } from '../../reports/types.ts';

const scenario = (thresholds: unknown[]) =>
  parseScenario(
    {
      name: 't',
      fleet: [{ count: 2, motion: 'car' }, { count: 1, motion: 'walk', faults: ['flaky-network'] }, { count: 1, adversary: 'gps-spoofing' }],
      epochs: { lengthS: 12, count: 1 },
      thresholds,
    },
    'test.yaml',
  );

function plan(thresholds: unknown[], options: { fleetOnly?: boolean; logger?: Logger } = {}) {
  const s = scenario(thresholds);
  return planThresholds({ entries: s.thresholds, context: metricContextOf(s), source: 'test.yaml', fleetOnly: options.fleetOnly ?? false, logger: options.logger ?? silentLogger });
}
const planError = (thresholds: unknown[], fleetOnly = false) => {
  try {
    plan(thresholds, { fleetOnly });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('planned');
};

/** The parts of a run's report the thresholds below read; the rest of a report is not needed to evaluate them. */
const report = {
  counts: { published: 40, received: 40, accepted: 37, rejected: { signature: 2, replay: 1 }, unaccounted: 0, authFailures: 0, refusedLogins: {} },
  latencyMs: { samples: 37, p50: 3, p95: 9, p99: 12.5, max: 20 },
  proofs: { count: 0, proveMsP50: 0, proveMsMax: 0, proveMsTotal: 0, closeToMinedMsP50: 0, closeToMinedMsP95: 0 },
  gas: { perDeviceEpoch: '0', settlePerBatchMax: '0' },
  rewards: { totalWei: '1000', perDevice: [] },
  profiles: [
    { profile: 'car', adversary: null, rewardWei: '700', flaggedDevices: 0 },
    { profile: 'walk + flaky-network', adversary: null, rewardWei: '250', flaggedDevices: 1 },
    { profile: 'car · gps-spoofing', adversary: 'gps-spoofing', rewardWei: '50', flaggedDevices: 1 },
  ],
} as unknown as RunReport;

describe('thresholds against the run', () => {
  it('error: an unknown metric lists the close ones', () => {
    expect(planError(['latency.publishToAccept.p90 < 100ms'])).toBe(
      'test.yaml: thresholds: unknown metric latency.publishToAccept.p90; close: latency.publishToAccept.p50, latency.publishToAccept.p95, latency.publishToAccept.p99 (docs/metrics.md lists them all)',
    );
    expect(planError(['rejected.signatur <= 5'])).toContain('unknown metric rejected.signatur; close: rejected.signature');
    expect(planError(['profiles.gps-spofing.rewardShare < 1%'])).toContain('close: profiles.gps-spoofing.rewardShare');
    // A profile the scenario does not have is unknown too, however well spelt.
    expect(planError(['profiles.sybil.rewardShare < 1%'])).toContain('unknown metric profiles.sybil.rewardShare');
  });

  it('error: a unit that does not fit, and a metric this kind of run does not measure', () => {
    expect(planError(['memory.wholeRun < 2s'])).toBe(
      'test.yaml: thresholds: `memory.wholeRun < 2s`: 2s is a duration (ms, s or min), and memory.wholeRun is a size in bytes (B, KiB, MiB or GiB); write e.g. memory.wholeRun < 2GiB',
    );
    expect(planError(['gas.perDeviceEpoch <= 15000'], true)).toBe(
      "test.yaml: thresholds: gas.perDeviceEpoch is not measured in a run without pinbench's backend (--backend none); remove the threshold or run with the backend",
    );
  });

  it('error: the syntax is checked with the scenario', () => {
    expect(() => scenario(['connect.p95 < 2h'])).toThrow('`connect.p95 < 2h`: unknown unit `h`');
    expect(() => scenario([{ expr: 'connect.p95 < 2s', abortOnFail: 'yes' }])).toThrow(/thresholds/);
  });

  it('behavior: abortOnFail watches a live counter with a bound from above, and says when it cannot', () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (line: string) => void warnings.push(line) };
    const planned = plan(
      [{ expr: 'rejected.signature <= 1', abortOnFail: true }, { expr: 'messages.unaccounted == 0', abortOnFail: true }, { expr: 'messages.accepted >= 5', abortOnFail: true }, 'rejected.total < 9'],
      { logger },
    );
    expect(planned.map((t) => t.watched)).toEqual([true, false, false, false]);
    expect(warnings).toEqual([
      'threshold `messages.unaccounted == 0`: abortOnFail cannot stop the run early (messages.unaccounted is known only at the end of the run); it is judged at the end',
      'threshold `messages.accepted >= 5`: abortOnFail cannot stop the run early (a bound from below (>=) can still be met later); it is judged at the end',
    ]);
    const live = { published: 10, received: 10, accepted: 8, rejected: { signature: 1 }, authFailures: 0 };
    expect(firstLost(planned, live)).toBeUndefined();
    expect(firstLost(planned, { ...live, rejected: { signature: 2 } })).toMatchObject({ measured: 2, threshold: planned[0] });
  });

  it('behavior: evaluation reads the report, shares of rewards by profile, and fails what was not measured', () => {
    const planned = plan([
      'latency.publishToAccept.p99 < 100ms',
      'rejected.signature <= 1',
      'rejected.timestamp.skew == 0',
      'profiles.gps-spoofing.rewardShare < 1%',
      'profiles.honest.rewardShare >= 95%',
      'profiles.flaky-network.rewardShare == 0.25',
      'gas.perDeviceEpoch <= 15000',
    ]);
    expect(evaluateThresholds(planned, report).map((t) => [t.expression, t.measuredText, t.ok])).toEqual([
      ['latency.publishToAccept.p99 < 100ms', '12.5ms', true],
      ['rejected.signature <= 1', '2', false],
      ['rejected.timestamp.skew == 0', '0', true],
      ['profiles.gps-spoofing.rewardShare < 1%', '5%', false],
      ['profiles.honest.rewardShare >= 95%', '95%', true],
      ['profiles.flaky-network.rewardShare == 0.25', '0.25', true],
      ['gas.perDeviceEpoch <= 15000', 'not measured', false],
    ]);
  });

  it('behavior: docs/metrics.md is what `npm run docs:metrics` writes from the catalogue', () => {
    expect(readFileSync(METRICS_DOCS_FILE, 'utf8'), 'docs/metrics.md is stale: run `npm run docs:metrics`').toBe(renderMetricsDocs());
  });
});
