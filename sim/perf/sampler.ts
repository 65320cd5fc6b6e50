import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** One look at the process, taken every `intervalMs`. Plain data: it goes into report.json as is. */
export interface PerfSample {
  /** Wall time of the sample, ms since the sampler started. */
  tMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** CPU time (user + system) since the previous sample, as % of one core (can exceed 100). */
  cpuPercent: number;
  /** Event-loop delay since the previous sample. */
  loopLagP50Ms: number;
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  /** The probes' readings (e.g. `connections`, `accepted`), by probe name. */
  values: Record<string, number>;
}

export interface PerfSummary {
  durationMs: number;
  peakRssBytes: number;
  cpu: { userMs: number; systemMs: number; percentOfCore: number };
  loopLag: { meanMs: number; p50Ms: number; p99Ms: number; maxMs: number };
  samples: PerfSample[];
}

export interface PerfSamplerOptions {
  /** null: no timer of its own, the caller calls `sample()` (the run's sample stream does, once a second). */
  intervalMs?: number | null;
  /** Named counters read at every sample (connections, accepted messages, devices per state, …). */
  probes?: Record<string, () => number>;
  /** Event-loop delay timer resolution, ms. */
  resolutionMs?: number;
}

export interface PerfSampler {
  /** Takes a sample now (also called by the timer). */
  sample(): PerfSample;
  samples(): readonly PerfSample[];
  /** Stops sampling (taking a last sample) and sums up the whole span. */
  stop(): PerfSummary;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/**
 * Samples this process: RSS and heap, CPU (process.cpuUsage), event-loop delay
 * (perf_hooks.monitorEventLoopDelay), plus caller-supplied probes. The timer is unref'd: a
 * sampler never keeps a run alive.
 */
export function startPerfSampler(options: PerfSamplerOptions = {}): PerfSampler {
  const intervalMs = options.intervalMs === undefined ? 1000 : options.intervalMs;
  const probes = options.probes ?? {};
  const resolution = options.resolutionMs ?? 10;
  // The monitor records the whole timer interval; the lag is what exceeds the resolution.
  const lagMs = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - resolution) : 0);
  // Two monitors: one reset at every sample, one for the whole span (an ELD histogram cannot be merged).
  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution });
  const whole: IntervalHistogram = monitorEventLoopDelay({ resolution });
  loop.enable();
  whole.enable();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let lastT = t0;
  let lastCpu = cpu0;
  let peakRss = process.memoryUsage.rss();
  const taken: PerfSample[] = [];
  let stopped: PerfSummary | undefined;

  const sample = (): PerfSample => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    peakRss = Math.max(peakRss, memory.rss);
    const cpuUs = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
    const spanMs = Math.max(now - lastT, 1e-3);
    const values: Record<string, number> = {};
    for (const [name, read] of Object.entries(probes)) values[name] = read();
    const s: PerfSample = {
      tMs: Math.round(now - t0),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      cpuPercent: round((cpuUs / 1000 / spanMs) * 100, 1),
      loopLagP50Ms: round(loop.count > 0 ? lagMs(loop.percentile(50)) : 0),
      loopLagP99Ms: round(loop.count > 0 ? lagMs(loop.percentile(99)) : 0),
      loopLagMaxMs: round(loop.count > 0 ? lagMs(loop.max) : 0),
      values,
    };
    loop.reset();
    lastT = now;
    lastCpu = cpu;
    taken.push(s);
    return s;
  };

  const timer = intervalMs === null ? undefined : setInterval(sample, intervalMs);
  timer?.unref();

  return {
    sample,
    samples: () => taken,
    stop() {
      if (stopped !== undefined) return stopped;
      clearInterval(timer);
      sample();
      loop.disable();
      whole.disable();
      const cpu = process.cpuUsage(cpu0);
      const durationMs = performance.now() - t0;
      stopped = {
        durationMs: Math.round(durationMs),
        peakRssBytes: peakRss,
        cpu: {
          userMs: Math.round(cpu.user / 1000),
          systemMs: Math.round(cpu.system / 1000),
          percentOfCore: round(((cpu.user + cpu.system) / 1000 / Math.max(durationMs, 1e-3)) * 100, 1),
        },
        loopLag: {
          meanMs: round(whole.count > 0 ? lagMs(whole.mean) : 0),
          p50Ms: round(whole.count > 0 ? lagMs(whole.percentile(50)) : 0),
          p99Ms: round(whole.count > 0 ? lagMs(whole.percentile(99)) : 0),
          maxMs: round(whole.count > 0 ? lagMs(whole.max) : 0),
        },
        samples: taken,
      };
      return stopped;
    },
  };
}
