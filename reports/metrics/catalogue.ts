import type { MetricKind } from '../../core/threshold-expression.ts';
import type { FleetOnlyReport, LatencySummary, ProfileReport, RunReport } from '../types.ts';

/**
 * Every metric a scenario's `thresholds:` can name, in one place: its name, what it measures,
 * and how it is read from a finished report (and, for counters that only grow, while the run
 * goes). docs/metrics.md is generated from this list (`npm run docs:metrics`).
 */

/** What the run's own counters say while it goes: what a live (`abortOnFail`) threshold reads. */
export interface LiveCounters {
  published: number;
  received: number;
  accepted: number;
  rejected: Readonly<Record<string, number>>;
  authFailures: number;
}

export interface MetricDefinition {
  /** The name, or a family's pattern with one `<placeholder>`: `rejected.<reason>`. */
  name: string;
  kind: MetricKind;
  description: string;
  /** Read from a full run's report (`key`: the placeholder's value); null when the run did not measure it. */
  run?: (report: RunReport, key: string) => number | null;
  /** Read from a fleet-only run's report (`--backend none`); absent when such a run cannot measure it. */
  fleetOnly?: (report: FleetOnlyReport, key: string) => number | null;
  /** A counter that only grows, read while the run goes: `abortOnFail` can stop a run on it. */
  live?: (counters: LiveCounters, key: string) => number;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
/** A latency summary's percentile, or null when it has no samples (nothing was measured). */
const percentile = (summary: LatencySummary | null | undefined, field: 'p50' | 'p95' | 'p99' | 'max') =>
  summary == null || summary.samples === 0 ? null : summary[field];

const PERCENTILES = ['p50', 'p95', 'p99', 'max'] as const;

function latencyFamily(
  prefix: string,
  what: string,
  run: ((r: RunReport) => LatencySummary | null | undefined) | undefined,
  fleetOnly: ((r: FleetOnlyReport) => LatencySummary | null | undefined) | undefined,
): MetricDefinition[] {
  return PERCENTILES.map((field) => ({
    name: `${prefix}.${field}`,
    kind: 'duration' as const,
    description: `${what}, ${field === 'max' ? 'the longest' : `${field.slice(1)}th percentile`}.`,
    ...(run === undefined ? {} : { run: (r: RunReport) => percentile(run(r), field) }),
    ...(fleetOnly === undefined ? {} : { fleetOnly: (r: FleetOnlyReport) => percentile(fleetOnly(r), field) }),
  }));
}

/**
 * Which rows of the report's profile table `profiles.<name>` takes: an adversary profile (its
 * devices), `honest` or `adversaries` (every honest or cheating device), a fault (the honest
 * devices with it), or a motion (the honest devices moving so).
 */
export function profileRowsOf(rows: readonly ProfileReport[], name: string): ProfileReport[] {
  if (name === 'honest') return rows.filter((row) => row.adversary === null);
  if (name === 'adversaries') return rows.filter((row) => row.adversary !== null);
  const adversaries = rows.filter((row) => row.adversary === name);
  if (adversaries.length > 0) return adversaries;
  return rows.filter((row) => row.adversary === null && row.profile.split(' + ').includes(name));
}

function rewardShare(report: RunReport, name: string): number {
  const total = BigInt(report.rewards.totalWei);
  if (total === 0n) return 0;
  const part = profileRowsOf(report.profiles, name).reduce((n, row) => n + BigInt(row.rewardWei), 0n);
  // Parts per billion in integers first: wei totals overflow a double's exact range.
  return Number((part * 1_000_000_000n) / total) / 1_000_000_000;
}

export const METRICS: readonly MetricDefinition[] = [
  ...latencyFamily('latency.publishToAccept', "From a device's publish to the ingest's verdict (accepted), wall clock", (r) => r.latencyMs, undefined),
  ...latencyFamily('latency.publishToAck', "From a device's publish to its broker's PUBACK, as the device saw it", (r) => r.ackLatencyMs, (r) => r.ackLatencyMs),
  ...latencyFamily('connect', "A device's connect, from its socket's opening to the broker's CONNACK (reconnects included)", (r) => r.connectMs, (r) => r.connectMs),
  ...latencyFamily('observed.readingToAnswer', "`--observe`: from a reading's publish to your backend's answer to it", undefined, (r) => r.observed?.latencyMs),
  {
    name: 'messages.published',
    kind: 'count',
    description: 'Publishes the devices got a PUBACK for.',
    run: (r) => r.counts.published,
    fleetOnly: (r) => r.counts.published,
    live: (c) => c.published,
  },
  {
    name: 'messages.received',
    kind: 'count',
    description: 'Messages the ingest judged (accepted or rejected), from the fleet or not; refused subscribes and connections closed on a bad packet are not messages.',
    run: (r) => r.counts.received,
    live: (c) => c.received,
  },
  { name: 'messages.accepted', kind: 'count', description: 'Readings the ingest accepted into run.db, from the fleet or not.', run: (r) => r.counts.accepted, live: (c) => c.accepted },
  {
    name: 'messages.fleet.accepted',
    kind: 'count',
    description: "The fleet's acknowledged publishes that were accepted (`messages.published` = fleet accepted + fleet rejected + unaccounted).",
    run: (r) => r.counts.fleet?.accepted ?? null,
  },
  { name: 'messages.fleet.rejected', kind: 'count', description: "The fleet's acknowledged publishes that were rejected with a reason.", run: (r) => r.counts.fleet?.rejected ?? null },
  {
    name: 'messages.outside.received',
    kind: 'count',
    description: "Messages judged that are no acknowledged fleet publish: attached boards, other MQTT clients (a mosquitto client with a device's login too), fleet readings whose PUBACK was lost.",
    run: (r) => r.counts.outside?.received ?? null,
  },
  { name: 'messages.outside.accepted', kind: 'count', description: 'Of those, the readings accepted.', run: (r) => r.counts.outside?.accepted ?? null },
  { name: 'messages.outside.rejected', kind: 'count', description: 'Of those, the messages rejected.', run: (r) => r.counts.outside?.rejected ?? null },
  {
    name: 'subscribes.refused',
    kind: 'count',
    description: 'Subscribes the ACL refused (`acl.subscribe`); not messages, so apart from `messages.*`.',
    run: (r) => r.counts.refusedSubscribes ?? r.counts.rejected['acl.subscribe'] ?? 0,
    live: (c) => c.rejected['acl.subscribe'] ?? 0,
  },
  {
    name: 'broker.takeovers',
    kind: 'count',
    description: "Logins that took over a connected device's session (the embedded broker's; a second client with a device's client id).",
    run: (r) => r.broker.takeovers?.total ?? null,
  },
  {
    name: 'broker.takeoverFlagged',
    kind: 'count',
    description: 'Devices flagged for repeated takeovers: 3 or more within 60 s (two clients sharing one login).',
    run: (r) => (r.broker.takeovers === undefined ? null : r.broker.takeovers.devices.filter((d) => d.flagged).length),
  },
  {
    name: 'messages.unaccounted',
    kind: 'count',
    description: 'Acknowledged publishes neither accepted nor rejected with a reason (run.db, at the end of the run; on a team\'s broker these are the ones it dropped).',
    run: (r) => r.counts.unaccounted,
  },
  { name: 'messages.publishFailed', kind: 'count', description: 'Publishes that failed: the connection was lost before the PUBACK.', fleetOnly: (r) => r.counts.publishFailed },
  { name: 'messages.bufferDropped', kind: 'count', description: "Readings the devices' offline buffers dropped when full.", fleetOnly: (r) => r.counts.bufferDropped },
  {
    name: 'rejected.total',
    kind: 'count',
    description: 'Messages the ingest rejected, for any reason (`messages.received` − `messages.accepted`; refused subscribes and closed connections are counted by their `rejected.<reason>` only).',
    run: (r) => r.counts.received - r.counts.accepted,
    live: (c) => c.received - c.accepted,
  },
  {
    name: 'rejected.<reason>',
    kind: 'count',
    description: 'Messages the ingest rejected for one reason (`signature`, `replay`, `timestamp.skew`, … as in run.db\'s `rejections.reason`; docs/errors.md and the report list them).',
    run: (r, reason) => r.counts.rejected[reason] ?? 0,
    live: (c, reason) => c.rejected[reason] ?? 0,
  },
  {
    name: 'auth.failures',
    kind: 'count',
    description: 'Logins the embedded broker refused and TLS handshakes that failed.',
    run: (r) => r.counts.authFailures,
    live: (c) => c.authFailures,
  },
  { name: 'broker.connects', kind: 'count', description: 'Connections the devices made, reconnects included.', run: (r) => r.broker.connects, fleetOnly: (r) => r.broker.connects },
  {
    name: 'broker.refusedConnects',
    kind: 'count',
    description: 'Connections that failed, for any reason (CONNACK refusals, TLS, unreachable).',
    run: (r) => sum(Object.values(r.broker.refusedConnects)),
    fleetOnly: (r) => sum(Object.values(r.broker.refusedConnects)),
  },
  { name: 'broker.connectionsLost', kind: 'count', description: 'Times an online device lost its connection.', fleetOnly: (r) => r.broker.connectionsLost },
  { name: 'broker.peakConnections', kind: 'count', description: 'Most devices online at once.', run: (r) => r.broker.peakConnections, fleetOnly: (r) => r.broker.peakConnections },
  { name: 'broker.dropped', kind: 'count', description: "On a team's broker: publishes it acknowledged to a device but never delivered to the backend.", run: (r) => r.broker.dropped },
  { name: 'registration.refused', kind: 'count', description: 'Registration confirms the backend refused.', run: (r) => r.registration.refused },
  {
    name: 'throughput.acceptedPerSecond.mean',
    kind: 'rate',
    description: 'Readings accepted per wall second, over the fleet run.',
    run: (r) => r.performance.acceptedPerSecond.mean,
  },
  { name: 'throughput.acceptedPerSecond.peak', kind: 'rate', description: 'Readings accepted in the busiest wall second.', run: (r) => r.performance.acceptedPerSecond.peak },
  {
    name: 'memory.wholeRun',
    kind: 'bytes',
    description: "Peak resident memory of all the run's processes together (run, fleet process, chain node, provers).",
    run: (r) => r.performance.wholeRun?.peakTotalBytes ?? null,
    fleetOnly: (r) => r.performance.wholeRun?.peakTotalBytes ?? null,
  },
  {
    name: 'memory.run',
    kind: 'bytes',
    description: "Peak resident memory of the run's own process (broker, ingest, store, settlement).",
    run: (r) => r.performance.peakRssBytes,
    fleetOnly: (r) => r.performance.peakRssBytes,
  },
  {
    name: 'cpu.percentOfCore',
    kind: 'rate',
    description: "CPU of the run's process over the fleet run, in percent of one core.",
    run: (r) => r.performance.cpuPercentOfCore,
    fleetOnly: (r) => r.performance.cpuPercentOfCore,
  },
  { name: 'loopLag.p99', kind: 'duration', description: "The run's event-loop lag, 99th percentile.", run: (r) => r.performance.loopLagMs.p99, fleetOnly: (r) => r.performance.loopLagMs.p99 },
  { name: 'proofs.count', kind: 'count', description: 'Batch proofs proven and settled.', run: (r) => r.proofs.count },
  { name: 'proofs.prove.p50', kind: 'duration', description: "A batch proof's proving time, median.", run: (r) => (r.proofs.count === 0 ? null : r.proofs.proveMsP50) },
  { name: 'proofs.prove.max', kind: 'duration', description: "A batch proof's proving time, the longest.", run: (r) => (r.proofs.count === 0 ? null : r.proofs.proveMsMax) },
  {
    name: 'settlement.closeToMined.p50',
    kind: 'duration',
    description: "From the start of an epoch's close to its batch's settlement being mined, median.",
    run: (r) => (r.proofs.count === 0 ? null : r.proofs.closeToMinedMsP50),
  },
  {
    name: 'settlement.closeToMined.p95',
    kind: 'duration',
    description: "From the start of an epoch's close to its batch's settlement being mined, 95th percentile.",
    run: (r) => (r.proofs.count === 0 ? null : r.proofs.closeToMinedMsP95),
  },
  {
    name: 'gas.perDeviceEpoch',
    kind: 'gas',
    description: 'Settlement gas over the device-epochs in settled batches.',
    run: (r) => (r.proofs.count === 0 ? null : Number(r.gas.perDeviceEpoch)),
  },
  { name: 'gas.settlePerBatchMax', kind: 'gas', description: 'The most gas one settlement transaction used.', run: (r) => (r.proofs.count === 0 ? null : Number(r.gas.settlePerBatchMax)) },
  { name: 'rewards.devicesPaid', kind: 'count', description: 'Devices that earned a reward.', run: (r) => r.rewards.perDevice.length },
  {
    name: 'profiles.<profile>.rewardShare',
    kind: 'ratio',
    description:
      "The share of all rewards one device profile earned: `<profile>` is an adversary profile (`gps-spoofing`, …), a fault (`flaky-network`, its honest devices), a motion (`car`, its honest devices), `honest` or `adversaries`.",
    run: (r, name) => rewardShare(r, name),
  },
  {
    name: 'profiles.<profile>.flaggedDevices',
    kind: 'count',
    description: 'Devices of a profile the epoch summaries flagged at least once (for honest profiles, false positives).',
    run: (r, name) => sum(profileRowsOf(r.profiles, name).map((row) => row.flaggedDevices)),
  },
  { name: 'checks.failed', kind: 'count', description: 'Built-in checks that failed.', run: (r) => r.checks.filter((c) => !c.ok).length, fleetOnly: (r) => r.checks.filter((c) => !c.ok).length },
];

/** What the names of metric families can be in a run: the ingest's rejection reasons and the scenario's profiles. */
export interface MetricNameContext {
  rejectionReasons: readonly string[];
  profiles: readonly string[];
}

const PLACEHOLDER = /<([a-z]+)>/;

/** The names a family's placeholder takes in this context (`<reason>`: rejection reasons, `<profile>`: profiles); undefined for a plain metric. */
export function familyKeys(definition: MetricDefinition, context: MetricNameContext): readonly string[] | undefined {
  const placeholder = PLACEHOLDER.exec(definition.name)?.[1];
  if (placeholder === undefined) return undefined;
  return placeholder === 'reason' ? context.rejectionReasons : context.profiles;
}

/** Every concrete metric name in a run of this context (families expanded). */
export function metricNames(context: MetricNameContext): string[] {
  return METRICS.flatMap((definition) => familyKeys(definition, context)?.map((key) => definition.name.replace(PLACEHOLDER, key)) ?? [definition.name]);
}

/** The definition a concrete name belongs to, with its placeholder's value ('' for a plain metric); undefined when none. */
export function findMetric(name: string, context: MetricNameContext): { definition: MetricDefinition; key: string } | undefined {
  for (const definition of METRICS) {
    const keys = familyKeys(definition, context);
    if (keys === undefined) {
      if (definition.name === name) return { definition, key: '' };
      continue;
    }
    // Split on the whole placeholder: PLACEHOLDER's group would land in the parts.
    const [before, after] = definition.name.split(PLACEHOLDER.exec(definition.name)![0]) as [string, string];
    if (!name.startsWith(before) || !name.endsWith(after) || name.length <= before.length + after.length) continue;
    const key = name.slice(before.length, name.length - after.length);
    if (keys.includes(key)) return { definition, key };
  }
  return undefined;
}
