import { describe, expect, it, vi } from 'vitest';
import { startRunStream, teeLogger, type SampleSources } from '../../sim/run/run-stream.ts';
import { wantsLiveView, runOutputs } from '../../sim/cli/run-outputs.ts';
import type { RunEnd, RunOutput, RunSample, RunStart } from '../../reports/output.ts';
import { silentLogger, type Logger } from '../../core/ports.ts';

/** Fake sources (unit test only): counters the test moves by hand. */
function fakeSources() {
  const state = { simMs: 1_700_000_000_000, published: 0, accepted: 0, rejected: {} as Record<string, number>, latency: null as RunSample['latencyMs'], online: 0 };
  const sources: SampleSources = {
    simNowMs: () => state.simMs,
    epochOf: (s) => (s >= 1_700_000_000 ? Math.floor((s - 1_700_000_000) / 60) : null),
    published: () => state.published,
    accepted: () => state.accepted,
    rejectedByReason: () => state.rejected,
    latencyInterval: () => state.latency,
    connections: () => state.online,
    stateCount: (s) => (s === 'online' ? state.online : 0),
    timerLatenessP99Ms: () => null,
    proofs: () => ({ queued: 1, proving: 1, settled: 2, failed: 0 }),
    settlements: () => ({ count: 2, gasUsed: '400000', lastProveMs: 1500 }),
    rewardsWei: () => 10n ** 18n,
    attached: () => [],
  };
  return { state, sources };
}

const start: RunStart = {
  scenario: { name: 'unit', seed: 1, devices: 4, epochs: 2, epochLengthS: 60 }, runDir: '/tmp/unit', timeMode: 'accelerated', startSimMs: 1_700_000_000_000, endSimMs: 1_700_000_120_000,
};

/** An output that only records what it heard (a fake for this test). */
function recordingOutput(name = 'recorder') {
  const heard: Array<[string, unknown]> = [];
  const output: RunOutput = {
    name,
    start: (run) => void heard.push(['start', run.scenario.name]),
    samples: (samples) => void heard.push(['samples', samples.map((s) => s.accepted)]),
    message: (level, text) => void heard.push([level, text]),
    stop: (end) => void heard.push(['stop', end.report.scenario.name]),
    fail: (error) => void heard.push(['fail', error.message]),
  };
  return { heard, output };
}

const end = { report: { scenario: { name: 'unit' } }, runDir: '/tmp/unit', tracks: { bounds: null, tracks: [], readings: 0, kept: 0 }, stoppedByUser: false } as unknown as RunEnd;

describe('the run stream', () => {
  it('behavior: samples carry totals, rates over the wall second, the epoch and the phase; close returns them as the timeline', () => {
    vi.useFakeTimers();
    try {
      let wall = 0;
      const { state, sources } = fakeSources();
      const { heard, output } = recordingOutput();
      const stream = startRunStream({ start, sources, outputs: [output], lines: teeLogger(silentLogger), logger: silentLogger, wallNowMs: () => wall });
      state.published = 10;
      state.accepted = 8;
      state.rejected = { 'signature.invalid': 2 };
      state.latency = { p50: 3, p95: 5, p99: 9 };
      state.simMs += 61_000;
      wall = 1000;
      vi.advanceTimersByTime(1000);
      stream.phase('settling');
      state.accepted = 10;
      wall = 2000;
      const timeline = stream.close();
      expect(timeline).toHaveLength(2);
      expect(timeline[0]).toMatchObject({ tS: 1, epoch: 1, phase: 'fleet', published: 10, accepted: 8, rejected: 2, publishedPerS: 10, acceptedPerS: 8, latencyMs: { p50: 3, p95: 5, p99: 9 } });
      expect(timeline[1]).toMatchObject({ tS: 2, phase: 'settling', acceptedPerS: 2, rewardsWei: '1000000000000000000', settlements: { count: 2, gasUsed: '400000' } });
      expect(heard).toEqual([['start', 'unit'], ['samples', [8]], ['samples', [10]]]);
      // Closed: no more samples arrive.
      vi.advanceTimersByTime(5000);
      expect(stream.close()).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("behavior: the run's lines reach the outputs once the stream listens, and warnings are counted in the next sample", () => {
    const lines = teeLogger(silentLogger);
    lines.info('before the stream: heard by nobody');
    const { heard, output } = recordingOutput();
    const stream = startRunStream({ start, sources: fakeSources().sources, outputs: [output], lines, logger: silentLogger, wallNowMs: () => 0 });
    lines.info('epoch 0 closed');
    lines.warn('prover slow');
    const [last] = stream.close();
    expect(heard.filter(([kind]) => kind === 'info' || kind === 'warn')).toEqual([['info', 'epoch 0 closed'], ['warn', 'prover slow']]);
    expect(last?.warnings).toBe(1);
  });

  it('behavior: an output that fails to write says so, and the others still write theirs', async () => {
    const warned: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m) => void warned.push(m) };
    const broken: RunOutput = { name: 'HTML', start: () => undefined, samples: () => undefined, stop: () => { throw new Error('disk on fire'); } };
    const { heard, output } = recordingOutput();
    const stream = startRunStream({ start, sources: fakeSources().sources, outputs: [broken, output], lines: teeLogger(silentLogger), logger, wallNowMs: () => 0 });
    stream.close();
    await stream.report(end);
    await stream.fail(new Error('too late'));
    expect(warned).toEqual(['the HTML output failed: disk on fire']);
    expect(heard.at(-1)).toEqual(['stop', 'unit']);
  });

  it('behavior: a run that ends without a report tells every output once', async () => {
    const { heard, output } = recordingOutput();
    const stream = startRunStream({ start, sources: fakeSources().sources, outputs: [output], lines: teeLogger(silentLogger), logger: silentLogger, wallNowMs: () => 0 });
    await stream.fail(new Error('run interrupted'));
    await stream.fail(new Error('again'));
    expect(heard.filter(([kind]) => kind === 'fail')).toEqual([['fail', 'run interrupted']]);
  });
});

describe('the CLI picks its outputs', () => {
  it('behavior: the live view only in a terminal, without CI, --quiet or --no-live', () => {
    const base = { isTTY: true, env: {}, quiet: false, noLive: false };
    expect(wantsLiveView(base)).toBe(true);
    expect(wantsLiveView({ ...base, isTTY: false })).toBe(false);
    expect(wantsLiveView({ ...base, isTTY: undefined })).toBe(false);
    expect(wantsLiveView({ ...base, env: { CI: 'true' } })).toBe(false);
    expect(wantsLiveView({ ...base, env: { CI: '1' } })).toBe(false);
    expect(wantsLiveView({ ...base, env: { CI: 'false' } })).toBe(true);
    expect(wantsLiveView({ ...base, quiet: true })).toBe(false);
    expect(wantsLiveView({ ...base, noLive: true })).toBe(false);
  });

  it('behavior: the console is muted while the live view holds the terminal, and given back when it stops or fails', async () => {
    const mutes: boolean[] = [];
    const { output: live } = recordingOutput('live view');
    const [wrapped, ...rest] = runOutputs({ live, logger: silentLogger, mute: (m) => void mutes.push(m), junit: undefined, scenarioFile: 's.yaml' });
    expect(rest).toEqual([]);
    wrapped!.start(start);
    await wrapped!.stop(end);
    wrapped!.start(start);
    await wrapped!.fail?.(new Error('x'));
    expect(mutes).toEqual([true, false, true, false]);
    const plain = runOutputs({ live: undefined, logger: silentLogger, mute: () => undefined, junit: 'out/run.xml', scenarioFile: 's.yaml' });
    expect(plain.map((o) => o.name)).toEqual(['progress lines', 'JUnit']);
  });
});
