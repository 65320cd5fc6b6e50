import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import { PublishLatency } from '../mqtt/publish-latency.ts';

/**
 * A run's metrics in Prometheus form (prom-client), read from the run's own parts at scrape time
 * through `collect()` callbacks: the run keeps its counters where it always did (the fleet's,
 * the ingest's, the backend's refused logins, run.db's proof jobs, the settled batches it heard
 * of), and a scrape copies them. Nothing here is on the hot path, with one exception: the
 * publish → accept latency histogram (`MeteredPublishLatency`) is observed per accepted reading.
 *
 * Every source is optional, so a run without its own backend still serves its fleet's part.
 */

export const METRIC_PREFIX = 'pinbench_';

/** The fleet as its runtime counts it (sim/fleet/fleet-runtime.ts `FleetRuntime`). */
export interface FleetMetricsSource {
  publishedCount(): number;
  onlineCount(): number;
  peakOnline(): number;
  registeredCount(): number;
  /** Devices per machine state (states with none may be left out). */
  statesSnapshot(): Record<string, number>;
}

/** The ingest's counters (backend/ingest/ingest.ts `Ingest`). */
export interface IngestMetricsSource {
  readonly counters: { readonly received: number; readonly accepted: number; readonly rejected: Readonly<Record<string, number>> };
  inFlight(): number;
}

/** A batch the settlement pipeline proved and settled (core/settled-batch.ts). */
export interface SettledMetricsBatch {
  readonly proveMs: number;
  /** Decimal string, from the receipt. */
  readonly gasUsed: string;
  readonly calldataBytes: number;
  readonly closeToMinedMs: number;
}

/** What the run heard from the backend's events; arrays that only grow. */
export interface SettlementMetricsSource {
  readonly epochs: readonly unknown[];
  readonly settled: readonly SettledMetricsBatch[];
  readonly failures: readonly unknown[];
}

export interface RunMetricsSources {
  /** `pinbench_run_info` labels. */
  run?: { scenario: string; timeMode: string; version: string };
  fleet?: FleetMetricsSource;
  ingest?: IngestMetricsSource;
  /** Logins refused by reason (backend `authFailuresByReason`). */
  refusedLogins?: () => Readonly<Record<string, number>>;
  /** Clients logged in to the broker now (fleet and real devices). */
  brokerConnections?: () => number | undefined;
  /** Proof jobs in run.db by status: queued (waiting or being proven), settled, failed. */
  proofJobs?: () => Readonly<Record<string, number>>;
  settlement?: SettlementMetricsSource;
  /** The simulated clock and the wall clock, ms. */
  time?: { simNowMs: () => number; wallNowMs: () => number };
  /** RSS of the run's other processes by name (fleet, chain, prover); undefined when there is none. */
  processes?: Readonly<Record<string, () => number | undefined>>;
}

/** Publish → accept latency buckets, seconds: from a loopback sub-millisecond to a stalled backend. */
export const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Proof and close → mined buckets, seconds. */
const PROOF_BUCKETS_S = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

let processRegistry: Registry | undefined;

/**
 * A registry for one run, holding prom-client's default metrics (CPU, RSS, heap, event loop
 * lag, GC, handles), prefixed `pinbench_`. Those are made once per process and shared by its
 * runs: each set starts an event-loop monitor and a GC observer that are never stopped.
 */
export function createRunRegistry(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: METRIC_PREFIX });
  }
  const registry = new Registry();
  // What Registry.merge does, on a registry the run's metrics are added to later.
  for (const metric of processRegistry.getMetricsAsArray()) registry.registerMetric(metric as unknown as Metric);
  return registry;
}

/**
 * A PublishLatency that also observes each latency into `pinbench_publish_accept_latency_seconds`.
 * This is the one metric fed on the hot path, and only when metrics are served: a Prometheus
 * histogram's cumulative buckets let Grafana show quantiles over a window
 * (`histogram_quantile(0.99, rate(…_bucket[1m]))`), where quantiles of the run's HDR histogram
 * (which stays the report's source) would be over the whole run and barely move late in a long one.
 */
export class MeteredPublishLatency extends PublishLatency {
  constructor(private readonly seconds: Histogram) {
    super();
  }

  override record(latencyMs: number): void {
    super.record(latencyMs);
    this.seconds.observe(latencyMs / 1000);
  }
}

const LATENCY_HISTOGRAMS = {
  accept: {
    name: `${METRIC_PREFIX}publish_accept_latency_seconds`,
    help: 'Wall time from a device publishing a reading to the ingest accepting it (the bench pairs its send times with the backend\'s accepts).',
  },
  ack: {
    name: `${METRIC_PREFIX}publish_ack_latency_seconds`,
    help: 'Wall time from a device publishing at QoS 1 to its broker\'s PUBACK, as the device saw it (the embedded broker or a team\'s).',
  },
} as const;

/** Registers a latency histogram (publish → accept, or publish → PUBACK) on `registry` and returns a PublishLatency feeding it. */
export function meteredPublishLatency(registry: Registry, which: keyof typeof LATENCY_HISTOGRAMS = 'accept'): MeteredPublishLatency {
  const histogram = new Histogram({ ...LATENCY_HISTOGRAMS[which], buckets: LATENCY_BUCKETS_S, registers: [registry] });
  return new MeteredPublishLatency(histogram);
}

/** A counter whose value is read at scrape time; `read` returns one total or totals by label value. */
function readCounter(registry: Registry, name: string, help: string, read: () => number): void;
function readCounter(registry: Registry, name: string, help: string, read: () => Readonly<Record<string, number>>, label: string): void;
function readCounter(registry: Registry, name: string, help: string, read: () => number | Readonly<Record<string, number>>, label?: string): void {
  new Counter({
    name: `${METRIC_PREFIX}${name}`,
    help,
    labelNames: label === undefined ? [] : [label],
    registers: [registry],
    collect() {
      const value = read();
      this.reset();
      if (typeof value === 'number') this.inc(value);
      else for (const [key, n] of Object.entries(value)) this.inc({ [label!]: key }, n);
    },
  });
}

/** A gauge read at scrape time; by label, a value once seen stays exposed (at 0 when it drops out). */
function readGauge(registry: Registry, name: string, help: string, read: () => number | undefined): void;
function readGauge(registry: Registry, name: string, help: string, read: () => Readonly<Record<string, number | undefined>>, label: string): void;
function readGauge(registry: Registry, name: string, help: string, read: () => number | undefined | Readonly<Record<string, number | undefined>>, label?: string): void {
  const seen = new Set<string>();
  new Gauge({
    name: `${METRIC_PREFIX}${name}`,
    help,
    labelNames: label === undefined ? [] : [label],
    registers: [registry],
    collect() {
      const value = read();
      if (label === undefined) {
        if (typeof value === 'number') this.set(value);
        return;
      }
      this.reset();
      const byLabel = value as Readonly<Record<string, number | undefined>>;
      for (const key of Object.keys(byLabel)) if (byLabel[key] !== undefined) seen.add(key);
      for (const key of seen) this.set({ [label]: key }, byLabel[key] ?? 0);
    },
  });
}

/** A histogram of values appended to `list`: each scrape observes the entries added since the last. */
function listHistogram<T>(registry: Registry, name: string, help: string, buckets: number[], list: readonly T[], valueOf: (item: T) => number): void {
  let observed = 0;
  new Histogram({
    name: `${METRIC_PREFIX}${name}`,
    help,
    buckets,
    registers: [registry],
    collect() {
      for (; observed < list.length; observed += 1) this.observe(valueOf(list[observed]!));
    },
  });
}

/** Registers on `registry` the metrics of each source given. Give each source once per registry. */
export function registerRunMetrics(registry: Registry, sources: RunMetricsSources): void {
  const { run, fleet, ingest, settlement, time } = sources;
  if (run !== undefined) {
    new Gauge({
      name: `${METRIC_PREFIX}run_info`,
      help: 'Always 1; the labels say which scenario runs, in which time mode, on which pinbench version.',
      labelNames: ['scenario', 'time_mode', 'version'],
      registers: [registry],
    }).set({ scenario: run.scenario, time_mode: run.timeMode, version: run.version }, 1);
  }
  if (fleet !== undefined) {
    readCounter(registry, 'published_total', 'Readings the virtual fleet published.', () => fleet.publishedCount());
    readGauge(registry, 'devices', 'Virtual devices per tracker machine state (off, connecting, online, …).', () => fleet.statesSnapshot(), 'state');
    readGauge(registry, 'devices_registered', 'Virtual devices registered on chain.', () => fleet.registeredCount());
    readGauge(registry, 'fleet_connections', 'Virtual devices connected to the broker now (online).', () => fleet.onlineCount());
    readGauge(registry, 'fleet_connections_peak', 'Most virtual devices connected at once so far.', () => fleet.peakOnline());
  }
  if (sources.brokerConnections !== undefined) {
    readGauge(registry, 'broker_connections', 'Clients logged in to the embedded broker now (virtual and real devices).', sources.brokerConnections);
  }
  if (sources.refusedLogins !== undefined) {
    readCounter(registry, 'refused_logins_total', 'Broker logins refused, by reason (password, certificate, unknown-device, protocol-version: MQTT 5; tls: failed handshakes).', sources.refusedLogins, 'reason');
  }
  if (ingest !== undefined) {
    readCounter(registry, 'received_total', 'Device messages the ingest judged (accepted or rejected).', () => ingest.counters.received);
    readCounter(registry, 'accepted_total', 'Readings the ingest accepted and stored in run.db.', () => ingest.counters.accepted);
    readCounter(registry, 'rejected_total', 'Device messages the ingest rejected, by reason (run.db rejections.reason).', () => ingest.counters.rejected, 'reason');
    readGauge(registry, 'ingest_in_flight', 'Messages received and not yet judged (waiting for their signature check).', () => ingest.inFlight());
  }
  if (sources.proofJobs !== undefined) {
    readGauge(registry, 'proof_jobs', 'Proof jobs in run.db by status: queued (waiting or being proven), settled, failed.', sources.proofJobs, 'status');
  }
  if (settlement !== undefined) {
    const gas = { seen: 0, total: 0n, calldata: 0 };
    const sumSettled = () => {
      for (; gas.seen < settlement.settled.length; gas.seen += 1) {
        const batch = settlement.settled[gas.seen]!;
        gas.total += BigInt(batch.gasUsed);
        gas.calldata += batch.calldataBytes;
      }
      return gas;
    };
    readCounter(registry, 'epochs_closed_total', 'Epochs closed (summarized, flagged and cut into proof jobs).', () => settlement.epochs.length);
    readCounter(registry, 'batches_settled_total', 'Batches proven and settled on chain by this run.', () => settlement.settled.length);
    readCounter(registry, 'batches_failed_total', 'Batches whose proof or settlement failed (kept in run.db for `pinbench resume`).', () => settlement.failures.length);
    readCounter(registry, 'settlement_gas_used_total', 'Gas used by the settlement transactions, from their receipts.', () => Number(sumSettled().total));
    readCounter(registry, 'settlement_calldata_bytes_total', 'Calldata bytes of the settlement transactions.', () => sumSettled().calldata);
    listHistogram(registry, 'proof_duration_seconds', 'Wall time to prove one batch (Groth16).', PROOF_BUCKETS_S, settlement.settled, (b) => b.proveMs / 1000);
    listHistogram(registry, 'settlement_close_to_mined_seconds', 'Wall time from the start of an epoch\'s close to its batch\'s settlement being mined.', PROOF_BUCKETS_S, settlement.settled, (b) => b.closeToMinedMs / 1000);
  }
  if (time !== undefined) {
    const simT0 = time.simNowMs();
    const wallT0 = time.wallNowMs();
    readGauge(registry, 'run_simulated_seconds', 'Simulated time since the run\'s parts were attached to the metrics (before the fleet starts).', () => (time.simNowMs() - simT0) / 1000);
    readGauge(registry, 'run_wall_seconds', 'Wall time since the same moment; simulated / wall is the run\'s speed.', () => (time.wallNowMs() - wallT0) / 1000);
  }
  if (sources.processes !== undefined) {
    const processes = sources.processes;
    readGauge(
      registry, 'child_resident_memory_bytes', 'Resident memory of the run\'s other processes: fleet process, chain node, provers; 0 once gone (this process: pinbench_process_resident_memory_bytes).',
      () => Object.fromEntries(Object.entries(processes).map(([name, rss]) => [name, rss()])), 'process',
    );
  }
}
