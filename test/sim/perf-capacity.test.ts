import { describe, expect, it } from 'vitest';
import { checkCapacity, estimateCapacity, type HostLimits } from '../../sim/perf/capacity.ts';
import { startPerfSampler } from '../../sim/perf/sampler.ts';

const roomy: HostLimits = {
  openFiles: 100_000,
  openFilesHard: 100_000,
  availableMemoryBytes: 24 * 2 ** 30,
  ephemeralPorts: { low: 32768, high: 60999 },
};

function capacityError(connections: number, limits: Partial<HostLimits>, bothEnds?: boolean): string {
  try {
    checkCapacity({ connections, bothEnds, limits: { ...roomy, ...limits } });
  } catch (error) {
    expect((error as { code: string }).code).toBe('HOST_CAPACITY_EXCEEDED');
    return (error as Error).message;
  }
  throw new Error('expected HOST_CAPACITY_EXCEEDED');
}

describe('checkCapacity', () => {
  it('args: two descriptors per connection with both ends in one process, one otherwise', () => {
    expect(estimateCapacity({ connections: 10_000, limits: roomy }).fileDescriptors).toBe(20_100);
    expect(estimateCapacity({ connections: 10_000, bothEnds: false, limits: roomy }).fileDescriptors).toBe(10_100);
    expect(checkCapacity({ connections: 10_000, limits: roomy }).connections).toBe(10_000);
  });

  it('error: too few open files, soft limit below a sufficient hard limit', () => {
    expect(capacityError(10_000, { openFiles: 1024, openFilesHard: 1_048_576 })).toBe(
      '10000 connections need about 20100 open files (2 per connection + 100), but the limit is 1024; run `ulimit -n 25000` in this shell first, or run fewer devices',
    );
  });

  it('error: too few open files, hard limit too low as well', () => {
    expect(capacityError(10_000, { openFiles: 20_000, openFilesHard: 20_000 })).toBe(
      '10000 connections need about 20100 open files (2 per connection + 100), but the limit is 20000; the hard limit is 20000, so raise it as root first ' +
        '(`ulimit -Hn 25000`, nofile in /etc/security/limits.conf, or `docker run --ulimit nofile=25000:25000`) and then run `ulimit -n 25000`, or run fewer devices',
    );
  });

  it('error: too few ephemeral ports', () => {
    expect(capacityError(40_000, { ephemeralPorts: { low: 32768, high: 60999 } })).toBe(
      '40000 connections to one broker address need 40000 local ports, but net.ipv4.ip_local_port_range (32768–60999) has 28232; ' +
        'widen it with `sudo sysctl -w net.ipv4.ip_local_port_range="1024 65535"`, or run fewer devices',
    );
  });

  it('error: too little memory', () => {
    expect(capacityError(10_000, { availableMemoryBytes: 1024 * 2 ** 20 })).toBe(
      '10000 connections need about 1377 MiB of memory, but 1024 MiB is available; free memory (stop other programs) or run at most about 6389 devices',
    );
  });

  it('behavior: an unreadable limit is not checked', () => {
    const limits: HostLimits = { openFiles: null, openFilesHard: null, availableMemoryBytes: null, ephemeralPorts: null };
    expect(checkCapacity({ connections: 1_000_000, limits }).fileDescriptors).toBe(2_000_100);
  });
});

describe('startPerfSampler', () => {
  it('behavior: returns plain samples with probe values and a summary', () => {
    let n = 0;
    const sampler = startPerfSampler({ intervalMs: 60_000, probes: { connections: () => ++n } });
    const first = sampler.sample();
    expect(first.values).toEqual({ connections: 1 });
    expect(first.rssBytes).toBeGreaterThan(0);
    const summary = sampler.stop();
    expect(summary.samples).toHaveLength(2);
    expect(summary.samples[1]!.values).toEqual({ connections: 2 });
    expect(summary.peakRssBytes).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(sampler.stop()).toBe(summary);
  });
});
