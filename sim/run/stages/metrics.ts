import type { Clock, Logger } from '../../../core/ports.ts';
import type { SettledBatch } from '../../../core/settled-batch.ts';
import type { Backend } from '../../../backend/start-backend.ts';
import { ProofJobs } from '../../../backend/store/proof-jobs.ts';
import type { RunStore } from '../../../backend/store/run-store.ts';
import { PublishLatency } from '../../mqtt/publish-latency.ts';
import { isLoopbackHost, parseMetricsAddress, startMetricsEndpoint, type MetricsEndpoint } from '../../metrics/metrics-endpoint.ts';
import { createRunRegistry, meteredPublishLatency, registerRunMetrics, type FleetMetricsSource, type RunMetricsSources } from '../../metrics/run-metrics.ts';
import { processesRssBytes, processRssBytes } from '../../perf/memory-watch.ts';
import { PINBENCH_VERSION } from '../../version.ts';

/** The run's parts the metrics read; each may be missing (a fleet against another team's broker has no backend). */
export interface WatchedRun {
  scenarioName: string;
  time?: { mode: string; clock: Clock };
  wallNowMs?: () => number;
  /** The fleet runtime (fleet-placement.ts `PlacedFleetRuntime`). */
  fleet?: FleetMetricsSource & { childRssBytes?(): number | undefined };
  backend?: Pick<Backend, 'ingest' | 'broker' | 'authFailuresByReason'>;
  store?: RunStore;
  /** What the run heard from the backend's events (arrays that only grow). */
  heard?: { readonly epochs: readonly unknown[]; readonly settled: readonly SettledBatch[]; readonly failures: readonly unknown[] };
  chain?: { readonly nodePid?: number };
  prover?: { pids(): number[] };
}

export interface RunMetrics {
  /** `http://host:port/metrics`. */
  readonly url: string;
  /** The run's PublishLatency, feeding `pinbench_publish_accept_latency_seconds` as well (call once). */
  publishLatency(): PublishLatency;
  /** The devices' publish → PUBACK latency, feeding `pinbench_publish_ack_latency_seconds` as well (call once). */
  ackLatency(): PublishLatency;
  /** Starts serving the run's parts (call once they exist). */
  watch(run: WatchedRun): void;
  close(): Promise<void>;
}

/**
 * `--metrics HOST:PORT`: serves the run's metrics in Prometheus text format while it runs.
 * Called before the run starts anything, so a malformed address (METRICS_LISTEN_INVALID) or a
 * port in use (METRICS_LISTEN_FAILED) costs nothing. Until `watch` the endpoint serves the
 * process's metrics only. undefined when `address` is.
 */
export async function startRunMetrics(input: { address: string | undefined; logger: Logger; onReady?: (url: string) => void }): Promise<RunMetrics | undefined> {
  if (input.address === undefined) return undefined;
  const address = parseMetricsAddress(input.address);
  const registry = createRunRegistry();
  const endpoint: MetricsEndpoint = await startMetricsEndpoint(address, registry);
  if (!isLoopbackHost(address.host)) input.logger.warn(`metrics on ${endpoint.url}: reachable from other machines on that interface, as asked`);
  else input.logger.info(`metrics on ${endpoint.url}`);
  input.onReady?.(endpoint.url);
  return {
    url: endpoint.url,
    publishLatency: () => meteredPublishLatency(registry),
    ackLatency: () => meteredPublishLatency(registry, 'ack'),
    watch(run) {
      const { fleet, backend, store, heard, time, chain, prover } = run;
      const processes: Record<string, () => number | undefined> = {};
      if (fleet?.childRssBytes !== undefined) processes.fleet = () => fleet.childRssBytes?.();
      if (chain?.nodePid !== undefined) processes.chain = () => processRssBytes(chain.nodePid!);
      if (prover !== undefined) processes.prover = () => processesRssBytes(prover.pids());
      const proofJobs = store === undefined ? undefined : new ProofJobs(store.db);
      const sources: RunMetricsSources = {
        run: { scenario: run.scenarioName, timeMode: time?.mode ?? 'unknown', version: PINBENCH_VERSION },
        ...(fleet === undefined ? {} : { fleet }),
        ...(backend === undefined
          ? {}
          : { ingest: backend.ingest, refusedLogins: () => backend.authFailuresByReason() }),
        // A team's broker does not say how many it holds (undefined): no series rather than a 0.
        ...(backend?.broker.connectedClients() === undefined ? {} : { brokerConnections: () => backend.broker.connectedClients() }),
        ...(proofJobs === undefined ? {} : { proofJobs: () => proofJobs.counts() }),
        ...(heard === undefined ? {} : { settlement: heard }),
        ...(time === undefined || run.wallNowMs === undefined ? {} : { time: { simNowMs: () => time.clock.nowMs(), wallNowMs: run.wallNowMs } }),
        ...(Object.keys(processes).length === 0 ? {} : { processes }),
      };
      registerRunMetrics(registry, sources);
    },
    close: () => endpoint.close(),
  };
}
