import type { RunEnd, RunSample, RunStart } from '../../reports/output.ts';
import type { RunReport } from '../../reports/types.ts';

/**
 * A hand-made run as the live view hears it (fakes for the view's unit tests; the lead's run
 * wiring makes the real ones). Figures are chosen so every formatter shows in a frame.
 */
export const FAKE_START_SIM_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

export function fakeRunStart(overrides: Partial<RunStart> = {}): RunStart {
  return {
    scenario: { name: 'city-fake', seed: 7, devices: 4000, epochs: 12, epochLengthS: 3600 },
    runDir: 'runs/2026-01-01T00-00-00-city-fake',
    timeMode: 'accelerated',
    startSimMs: FAKE_START_SIM_MS,
    endSimMs: FAKE_START_SIM_MS + 12 * 3600 * 1000,
    ...overrides,
  };
}

/** The `i`th second of the fake run: accepted/s climbs by 100 a second, so a sparkline of it is known. */
export function fakeSample(i: number, overrides: Partial<RunSample> = {}): RunSample {
  return {
    tS: i,
    simTimeS: FAKE_START_SIM_MS / 1000 + i * 600,
    epoch: Math.floor((i * 600) / 3600),
    phase: 'fleet',
    published: 1000 * i,
    accepted: 990 * i,
    rejected: 10 * i,
    publishedPerS: 100 * i + 4,
    acceptedPerS: 100 * i,
    rejectedByReason: { 'signature.invalid': 6 * i, 'timestamp.skew': 3 * i, replay: i },
    latencyMs: { p50: 3.14, p95: 8.02, p99: 12.6 },
    connections: 3990,
    states: { online: 3980, backoff: 12, off: 8 },
    cpuPercent: 87.4,
    rssMb: 312,
    loopLagP99Ms: 4.21,
    timerLatenessP99Ms: null,
    proofs: { queued: 3, proving: 1, settled: 12, failed: 0 },
    settlements: { count: 12, gasUsed: '3410000', lastProveMs: 1234 },
    rewardsWei: '1234500000000000000000',
    attached: [],
    warnings: 0,
    ...overrides,
  };
}

/** The end of the fake run: only what the view reads of the report is filled in. */
export function fakeRunEnd(options: { ok: boolean; failedChecks?: number; failedThresholds?: number; stoppedByUser?: boolean; runDir?: string }): RunEnd {
  const checks = Array.from({ length: 4 }, (_, i) => ({ name: `check ${i}`, ok: i >= (options.failedChecks ?? 0), detail: '' }));
  const thresholds = Array.from({ length: options.failedThresholds ?? 0 }, () => ({ ok: false }));
  const stopped = options.stoppedByUser === true ? { stoppedByUser: { atSimS: FAKE_START_SIM_MS / 1000 + 3600, epochsOpen: [1, 2] } } : {};
  const report = { ok: options.ok, checks, thresholds, ...stopped } as unknown as RunReport;
  return {
    report,
    runDir: options.runDir ?? 'runs/2026-01-01T00-00-00-city-fake',
    tracks: { bounds: null, tracks: [], readings: 0, kept: 0 },
    stoppedByUser: options.stoppedByUser ?? false,
  };
}
