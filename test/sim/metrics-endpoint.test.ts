import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { parseCli } from '../../sim/cli/args.ts';
import { isLoopbackHost, parseMetricsAddress, startMetricsEndpoint, type MetricsEndpoint } from '../../sim/metrics/metrics-endpoint.ts';
import { createRunRegistry, meteredPublishLatency, registerRunMetrics, type FleetMetricsSource, type SettledMetricsBatch } from '../../sim/metrics/run-metrics.ts';
import { startRunMetrics, type WatchedRun } from '../../sim/run/stages/metrics.ts';
import { silentLogger, type Logger } from '../../core/ports.ts';
import { parseExposition } from '../support/prom-text.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function endpointFor(source: { metrics(): Promise<string>; contentType: string }, host = '127.0.0.1'): Promise<MetricsEndpoint> {
  const endpoint = await startMetricsEndpoint({ host, port: 0 }, source);
  closers.push(() => endpoint.close());
  return endpoint;
}

/** A port something else holds. */
async function heldPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A fleet that counts what the test tells it (fake). */
function fakeFleet(): FleetMetricsSource & { published: number; states: Record<string, number> } {
  return {
    published: 0,
    states: { off: 3 },
    publishedCount() { return this.published; },
    onlineCount() { return this.states.online ?? 0; },
    peakOnline: () => 2,
    registeredCount: () => 3,
    statesSnapshot() { return Object.fromEntries(Object.entries(this.states).filter(([, n]) => n > 0)); },
  };
}

async function scrape(registry: Registry) {
  return parseExposition(await registry.metrics());
}

describe('metrics address (--metrics)', () => {
  it('args: HOST:PORT, [IPv6]:PORT, a host name, or a port alone on loopback', () => {
    expect(parseMetricsAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsAddress('0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseMetricsAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseMetricsAddress('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseMetricsAddress('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect([isLoopbackHost('127.0.0.1'), isLoopbackHost('127.1.2.3'), isLoopbackHost('::1'), isLoopbackHost('localhost')]).toEqual([true, true, true, true]);
    expect([isLoopbackHost('0.0.0.0'), isLoopbackHost('::'), isLoopbackHost('10.0.0.1')]).toEqual([false, false, false]);
  });

  it('error: a malformed address says what is wrong and what to give', () => {
    const advice = 'give HOST:PORT such as 127.0.0.1:9464, or a port alone for 127.0.0.1 (0 picks a free port)';
    const cases: Array<[string, string]> = [
      ['127.0.0.1', `metrics address "127.0.0.1": no port; ${advice}`],
      ['127.0.0.1:', `metrics address "127.0.0.1:": no port; ${advice}`],
      [':9464', `metrics address ":9464": no host before the colon; ${advice}`],
      ['127.0.0.1:70000', `metrics address "127.0.0.1:70000": port "70000" is not a number from 0 to 65535; ${advice}`],
      ['127.0.0.1:http', `metrics address "127.0.0.1:http": port "http" is not a number from 0 to 65535; ${advice}`],
      ['http://127.0.0.1:9464', `metrics address "http://127.0.0.1:9464": not HOST:PORT (no scheme, path or spaces); ${advice}`],
      ['127.0.0.1:9464/metrics', `metrics address "127.0.0.1:9464/metrics": not HOST:PORT (no scheme, path or spaces); ${advice}`],
      ['::1:9464', `metrics address "::1:9464": an IPv6 address goes in brackets, as in [::1]:9464; ${advice}`],
      ['[nope]:9464', `metrics address "[nope]:9464": "nope" is not a host name or IP address; ${advice}`],
      ['bad_host:9464', `metrics address "bad_host:9464": "bad_host" is not a host name or IP address; ${advice}`],
      ['', `metrics address "": empty; ${advice}`],
    ];
    for (const [raw, message] of cases) {
      expect(() => parseMetricsAddress(raw), raw).toThrow(expect.objectContaining({ code: 'METRICS_LISTEN_INVALID', message }));
    }
  });

  it('args: pinbench run --metrics is checked as the command line is read; resume refuses it', () => {
    expect(parseCli(['run', 's.yaml', '--metrics', '127.0.0.1:9464'])).toMatchObject({ metrics: '127.0.0.1:9464' });
    expect(parseCli(['run', 's.yaml'])).not.toHaveProperty('metrics');
    expect(() => parseCli(['run', 's.yaml', '--metrics', 'localhost'])).toThrow(
      expect.objectContaining({ code: 'METRICS_LISTEN_INVALID', message: 'metrics address "localhost": no port; give HOST:PORT such as 127.0.0.1:9464, or a port alone for 127.0.0.1 (0 picks a free port)' }),
    );
    expect(() => parseCli(['run', 's.yaml', '--metrics'])).toThrow(/--metrics/);
    expect(() => parseCli(['resume', 'runs/x', '--metrics', '9464'])).toThrow('option --metrics does not apply to resume, which runs no fleet');
  });
});

describe('metrics endpoint', () => {
  const fakeSource = { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: async () => 'fake_metric 1\n' };

  it('behavior: GET /metrics serves the source\'s text; other paths are 404, other methods 405', async () => {
    const endpoint = await endpointFor(fakeSource);
    expect(endpoint.url).toBe(`http://127.0.0.1:${endpoint.port}/metrics`);
    expect(endpoint.port).toBeGreaterThan(0);
    const ok = await fetch(endpoint.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await ok.text()).toBe('fake_metric 1\n');
    expect((await fetch(`${endpoint.url}?x=1`)).status).toBe(200);
    const head = await fetch(endpoint.url, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const missing = await fetch(endpoint.url.replace('/metrics', '/'));
    expect([missing.status, await missing.text()]).toEqual([404, 'not found; metrics are at /metrics\n']);
    const post = await fetch(endpoint.url, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    await post.text();
  });

  it('behavior: a source that fails gives 500 with its message, and the endpoint goes on serving', async () => {
    let fail = true;
    const endpoint = await endpointFor({ contentType: 'text/plain', metrics: async () => { if (fail) throw new Error('fake failure'); return 'x 1\n'; } });
    const failed = await fetch(endpoint.url);
    expect([failed.status, await failed.text()]).toEqual([500, 'metrics failed: fake failure\n']);
    fail = false;
    expect(await (await fetch(endpoint.url)).text()).toBe('x 1\n');
  });

  it('behavior: close() stops listening, also with a keep-alive connection open, and may be called twice', async () => {
    const endpoint = await startMetricsEndpoint({ host: '127.0.0.1', port: 0 }, fakeSource);
    await (await fetch(endpoint.url)).text();
    await endpoint.close();
    await endpoint.close();
    await expect(fetch(endpoint.url)).rejects.toThrow();
  });

  it('error: a port in use is METRICS_LISTEN_FAILED, naming the address and what to do', async () => {
    const port = await heldPort();
    await expect(startMetricsEndpoint({ host: '127.0.0.1', port }, fakeSource)).rejects.toThrow(
      expect.objectContaining({ code: 'METRICS_LISTEN_FAILED', message: `cannot serve metrics on 127.0.0.1:${port}: port ${port} is in use (EADDRINUSE); choose another port with --metrics, or 0 for a free one` }),
    );
    await expect(startMetricsEndpoint({ host: '192.0.2.1', port: 0 }, fakeSource)).rejects.toThrow(
      expect.objectContaining({ code: 'METRICS_LISTEN_FAILED', message: 'cannot serve metrics on 192.0.2.1:0: 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL); listen on 127.0.0.1, 0.0.0.0 or one of this machine\'s addresses' }),
    );
  });
});

describe('run metrics registry (fake sources)', () => {
  it('behavior: a scrape reads the fleet, ingest, logins, proof jobs and settlements as they are now', async () => {
    const registry = new Registry();
    const fleet = fakeFleet();
    const ingest = { counters: { received: 0, accepted: 0, rejected: {} as Record<string, number> }, inFlight: () => 4 };
    const refused: Record<string, number> = {};
    const jobs: Record<string, number> = {};
    const heard = { epochs: [] as unknown[], settled: [] as SettledMetricsBatch[], failures: [] as string[] };
    let simMs = 1_000_000;
    let wallMs = 5_000;
    registerRunMetrics(registry, {
      run: { scenario: 'fake', timeMode: 'accelerated', version: '0.0.0-fake' },
      fleet, ingest, refusedLogins: () => refused, brokerConnections: () => 2, proofJobs: () => jobs, settlement: heard,
      time: { simNowMs: () => simMs, wallNowMs: () => wallMs },
      processes: { fleet: () => 1024, chain: () => undefined },
    });

    let m = await scrape(registry);
    expect(m.value('pinbench_run_info', { scenario: 'fake', time_mode: 'accelerated', version: '0.0.0-fake' })).toBe(1);
    expect([m.value('pinbench_published_total'), m.value('pinbench_accepted_total'), m.value('pinbench_received_total')]).toEqual([0, 0, 0]);
    expect(m.byLabel('pinbench_devices', 'state')).toEqual({ off: 3 });
    expect(m.byLabel('pinbench_rejected_total', 'reason')).toEqual({});
    expect(m.value('pinbench_ingest_in_flight')).toBe(4);
    expect(m.value('pinbench_broker_connections')).toBe(2);
    expect(m.byLabel('pinbench_child_resident_memory_bytes', 'process')).toEqual({ fleet: 1024 });

    // The run moves on; the next scrape sees it without anything being told.
    fleet.published = 7;
    fleet.states = { off: 0, online: 2, connecting: 1 };
    Object.assign(ingest.counters, { received: 6, accepted: 5 });
    ingest.counters.rejected.signature = 1;
    refused.password = 2;
    Object.assign(jobs, { queued: 1, settled: 2 });
    heard.epochs.push({}, {});
    heard.settled.push({ proveMs: 1500, gasUsed: '250000', calldataBytes: 900, closeToMinedMs: 4000 }, { proveMs: 2500, gasUsed: '260000', calldataBytes: 900, closeToMinedMs: 7000 });
    heard.failures.push('epoch 1 batch 0: fake');
    simMs += 60_000;
    wallMs += 2_000;

    m = await scrape(registry);
    expect(m.value('pinbench_published_total')).toBe(7);
    expect(m.byLabel('pinbench_devices', 'state')).toEqual({ off: 0, online: 2, connecting: 1 });
    expect([m.value('pinbench_fleet_connections'), m.value('pinbench_fleet_connections_peak'), m.value('pinbench_devices_registered')]).toEqual([2, 2, 3]);
    expect([m.value('pinbench_received_total'), m.value('pinbench_accepted_total')]).toEqual([6, 5]);
    expect(m.byLabel('pinbench_rejected_total', 'reason')).toEqual({ signature: 1 });
    expect(m.byLabel('pinbench_refused_logins_total', 'reason')).toEqual({ password: 2 });
    expect(m.byLabel('pinbench_proof_jobs', 'status')).toEqual({ queued: 1, settled: 2 });
    expect([m.value('pinbench_epochs_closed_total'), m.value('pinbench_batches_settled_total'), m.value('pinbench_batches_failed_total')]).toEqual([2, 2, 1]);
    expect([m.value('pinbench_settlement_gas_used_total'), m.value('pinbench_settlement_calldata_bytes_total')]).toEqual([510_000, 1800]);
    expect(m.value('pinbench_proof_duration_seconds_count')).toBe(2);
    expect(m.value('pinbench_proof_duration_seconds_sum')).toBe(4);
    expect(m.value('pinbench_proof_duration_seconds_bucket', { le: '2' })).toBe(1);
    expect(m.value('pinbench_settlement_close_to_mined_seconds_bucket', { le: '5' })).toBe(1);
    expect([m.value('pinbench_run_simulated_seconds'), m.value('pinbench_run_wall_seconds')]).toEqual([60, 2]);

    // A state every device left stays at 0; settled batches are counted once however often it is scraped.
    fleet.states = { online: 3 };
    m = await scrape(registry);
    expect(m.byLabel('pinbench_devices', 'state')).toEqual({ off: 0, online: 3, connecting: 0 });
    expect([m.value('pinbench_proof_duration_seconds_count'), m.value('pinbench_settlement_gas_used_total')]).toEqual([2, 510_000]);
  });

  it('behavior: names follow the Prometheus conventions, each with HELP and TYPE', async () => {
    const registry = new Registry();
    registerRunMetrics(registry, {
      run: { scenario: 'fake', timeMode: 'realtime', version: '0' }, fleet: fakeFleet(),
      ingest: { counters: { received: 0, accepted: 0, rejected: {} }, inFlight: () => 0 },
      refusedLogins: () => ({}), brokerConnections: () => 0, proofJobs: () => ({}),
      settlement: { epochs: [], settled: [], failures: [] }, time: { simNowMs: () => 0, wallNowMs: () => 0 }, processes: { fleet: () => 1 },
    });
    meteredPublishLatency(registry);
    const m = await scrape(registry);
    expect(m.type.size).toBe(24);
    for (const [name, type] of m.type) {
      expect(name).toMatch(/^pinbench_[a-z_]+$/);
      expect(m.help.get(name)?.length, name).toBeGreaterThan(10);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
    }
  });

  it('behavior: without a backend only the fleet\'s part is served', async () => {
    const registry = new Registry();
    registerRunMetrics(registry, { fleet: fakeFleet() });
    const m = await scrape(registry);
    expect([...m.type.keys()].sort()).toEqual([
      'pinbench_devices', 'pinbench_devices_registered', 'pinbench_fleet_connections', 'pinbench_fleet_connections_peak', 'pinbench_published_total',
    ]);
  });

  it('behavior: the metered publish latency feeds the histogram and keeps the run\'s HDR summary', async () => {
    const registry = new Registry();
    const latency = meteredPublishLatency(registry);
    for (const ms of [0.7, 3, 3, 40, 2000]) latency.record(ms);
    const m = await scrape(registry);
    expect(m.type.get('pinbench_publish_accept_latency_seconds')).toBe('histogram');
    expect(m.value('pinbench_publish_accept_latency_seconds_count')).toBe(5);
    expect(m.value('pinbench_publish_accept_latency_seconds_bucket', { le: '0.001' })).toBe(1);
    expect(m.value('pinbench_publish_accept_latency_seconds_bucket', { le: '0.005' })).toBe(3);
    expect(m.value('pinbench_publish_accept_latency_seconds_bucket', { le: '0.05' })).toBe(4);
    expect(m.value('pinbench_publish_accept_latency_seconds_bucket', { le: '+Inf' })).toBe(5);
    expect(m.value('pinbench_publish_accept_latency_seconds_sum')).toBeCloseTo(2.0467, 6);
    expect(latency.summary()).toMatchObject({ samples: 5, max: 2000 });
  });

  it('behavior: a run registry carries the process metrics (CPU, RSS) prefixed pinbench_, shared by runs in one process', async () => {
    const a = await scrape(createRunRegistry());
    const b = createRunRegistry();
    registerRunMetrics(b, { fleet: fakeFleet() });
    const bm = await scrape(b);
    for (const m of [a, bm]) {
      expect(m.value('pinbench_process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
      expect(m.has('pinbench_process_cpu_user_seconds_total')).toBe(true);
    }
    expect(a.has('pinbench_published_total')).toBe(false);
    expect(bm.has('pinbench_published_total')).toBe(true);
  });
});

describe('run metrics stage', () => {
  function recordingLogger(): Logger & { lines: string[] } {
    const lines: string[] = [];
    return { lines, info: (m) => void lines.push(`info ${m}`), warn: (m) => void lines.push(`warn ${m}`), debug: () => undefined };
  }

  it('behavior: no address, no endpoint; one prints its URL, serves the process until the run\'s parts are watched', async () => {
    expect(await startRunMetrics({ address: undefined, logger: silentLogger })).toBeUndefined();
    const logger = recordingLogger();
    let ready = '';
    const metrics = (await startRunMetrics({ address: '0', logger, onReady: (url) => (ready = url) }))!;
    closers.push(() => metrics.close());
    expect(ready).toBe(metrics.url);
    expect(metrics.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(logger.lines).toEqual([`info metrics on ${metrics.url}`]);
    let m = parseExposition(await (await fetch(metrics.url)).text());
    expect(m.has('pinbench_process_resident_memory_bytes')).toBe(true);
    expect(m.has('pinbench_published_total')).toBe(false);
    metrics.publishLatency().record(5);
    metrics.watch({ scenarioName: 'fake', fleet: fakeFleet() });
    m = parseExposition(await (await fetch(metrics.url)).text());
    expect(m.value('pinbench_published_total')).toBe(0);
    expect(m.value('pinbench_publish_accept_latency_seconds_count')).toBe(1);
    expect(m.value('pinbench_run_info', { scenario: 'fake', time_mode: 'unknown' })).toBe(1);
  });

  it('behavior: a broker that cannot count its connections (a team\'s) gets no broker_connections series', async () => {
    /** A backend with the parts the metrics read (fake). */
    const fakeBackend = (connections: number | undefined) =>
      ({
        ingest: { counters: { received: 1, accepted: 1, rejected: {} }, inFlight: () => 0 },
        broker: { connectedClients: () => connections },
        authFailuresByReason: () => ({}),
      }) as unknown as WatchedRun['backend'];
    for (const connections of [undefined, 5]) {
      const metrics = (await startRunMetrics({ address: '0', logger: silentLogger }))!;
      closers.push(() => metrics.close());
      metrics.watch({ scenarioName: 'fake', backend: fakeBackend(connections) });
      const m = parseExposition(await (await fetch(metrics.url)).text());
      expect(m.value('pinbench_accepted_total')).toBe(1);
      expect(m.has('pinbench_broker_connections') ? m.value('pinbench_broker_connections') : undefined).toBe(connections);
    }
  });

  it('behavior: binding off loopback is allowed, with a warning', async () => {
    const logger = recordingLogger();
    const metrics = (await startRunMetrics({ address: '0.0.0.0:0', logger }))!;
    closers.push(() => metrics.close());
    expect(logger.lines).toEqual([`warn metrics on ${metrics.url}: reachable from other machines on that interface, as asked`]);
  });

  it('error: a port in use stops the stage with METRICS_LISTEN_FAILED', async () => {
    const port = await heldPort();
    await expect(startRunMetrics({ address: String(port), logger: silentLogger })).rejects.toThrow(expect.objectContaining({ code: 'METRICS_LISTEN_FAILED' }));
  });
});
