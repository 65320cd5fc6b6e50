import type { PerformanceReport, TimelinePoint, WholeRunMemory } from '../../reports/types.ts';
import type { PerfSummary } from '../perf/sampler.ts';

/** Turns the sampler's cumulative counters into rates per second and per-state counts. */
export function performanceReport(input: {
  summary: PerfSummary;
  timeMode: 'realtime' | 'accelerated';
  timerLatenessMs: PerformanceReport['timerLatenessMs'];
  /** Peak RSS of the fleet process when the fleet ran in one; null otherwise. */
  childPeakRssBytes?: number | null;
  /** The whole run's memory, all its processes (memory-watch); absent where a caller has none. */
  memory?: WholeRunMemory;
}): PerformanceReport {
  const { summary } = input;
  const timeline: TimelinePoint[] = [];
  let previous: (typeof summary.samples)[number] | undefined;
  for (const sample of summary.samples) {
    const dtS = previous === undefined ? sample.tMs / 1000 : (sample.tMs - previous.tMs) / 1000;
    const rate = (name: string) => (dtS > 0 ? Math.round(((sample.values[name] ?? 0) - (previous?.values[name] ?? 0)) / dtS) : 0);
    const states: Record<string, number> = {};
    for (const [name, value] of Object.entries(sample.values)) if (name.startsWith('state.') && value > 0) states[name.slice(6)] = value;
    timeline.push({
      tS: Math.round(sample.tMs / 100) / 10,
      simTimeS: sample.values.simTimeS ?? 0,
      publishedPerS: rate('published'),
      acceptedPerS: rate('accepted'),
      connections: sample.values.connections ?? 0,
      cpuPercent: Math.round(sample.cpuPercent),
      rssMb: Math.round(sample.rssBytes / 2 ** 20),
      loopLagP99Ms: sample.loopLagP99Ms,
      states,
    });
    previous = sample;
  }
  const first = summary.samples[0];
  const last = summary.samples.at(-1);
  const spanS = first && last ? (last.tMs - first.tMs) / 1000 : 0;
  const simSpanS = first && last ? (last.values.simTimeS ?? 0) - (first.values.simTimeS ?? 0) : 0;
  const acceptedTotal = last?.values.accepted ?? 0;
  return {
    timeMode: input.timeMode,
    simSpeed: spanS > 0 ? Math.round((simSpanS / spanS) * 10) / 10 : 1,
    acceptedPerSecond: {
      mean: summary.durationMs > 0 ? Math.round(acceptedTotal / (summary.durationMs / 1000)) : 0,
      peak: timeline.reduce((m, p) => Math.max(m, p.acceptedPerS), 0),
    },
    peakRssBytes: summary.peakRssBytes,
    childPeakRssBytes: input.childPeakRssBytes ?? null,
    wholeRun: input.memory ?? null,
    cpuPercentOfCore: summary.cpu.percentOfCore,
    loopLagMs: { mean: summary.loopLag.meanMs, p50: summary.loopLag.p50Ms, p99: summary.loopLag.p99Ms, max: summary.loopLag.maxMs },
    timerLatenessMs: input.timerLatenessMs,
    timeline,
  };
}
