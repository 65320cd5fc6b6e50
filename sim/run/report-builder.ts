import type { Scenario } from '../../scenarios/index.ts';
import { runPolicyOf } from './run-policy.ts';
import { epochBooks } from '../../backend/epochs/epoch-books.ts';
import { stakeBook } from '../../backend/epochs/stake-book.ts';
import type { PolicyReport } from '../../reports/types.ts';
import type { RewardPolicy } from '../../core/reward-policy/index.ts';
import type { ClaimSummary } from './claims.ts';
import type { RegistrationCounters } from '../../backend/registration/registration-exchange.ts';
import type { AttachedDeviceReport, RunReport, ReportCheck, DeviceReward, BatchReport, ProfileReport, PerformanceReport } from '../../reports/types.ts';
import type { CircuitArtifacts } from '../../circuits/index.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import type { Ingest } from '../../backend/ingest/ingest.ts';
import type { BackendBroker } from '../../backend/start-backend.ts';
import { percentile } from '../stats.ts';
import type { ChainSetup } from '../../backend/chain/chain-client.ts';
import type { FleetRuntime } from '../fleet/fleet-runtime.ts';
import { PINBENCH_VERSION } from '../version.ts';
import { NON_MESSAGE_REASONS, rejectionKind } from '../../backend/ingest/reasons.ts';
import type { SessionTakeovers } from '../../backend/broker/session-takeovers.ts';

export interface ReportInput {
  scenario: Scenario;
  source: string;
  runDir: string;
  startedAt: Date;
  finishedAt: Date;
  checks: ReportCheck[];
  timingsMs: Record<string, number>;
  ingest: Ingest;
  /** Publish → accept latency as the bench measured it. */
  latencyMs: RunReport['latencyMs'];
  /** Publish → PUBACK latency as the devices saw it. */
  ackLatencyMs: RunReport['ackLatencyMs'];
  connectMs: NonNullable<RunReport['connectMs']>;
  fleet: FleetRuntime;
  store: RunStore;
  authFailures: number;
  refusedLogins: Record<string, number>;
  listeners: readonly string[];
  attached: AttachedDeviceReport[];
  broker: BackendBroker;
  takeovers: SessionTakeovers;
  registration: RegistrationCounters;
  chain: ChainSetup;
  artifacts: CircuitArtifacts;
  epochStats: Array<{ epoch: number; devices: number; readings: number; flagged: number }>;
  settled: Array<BatchReport & { epoch: number }>;
  claims: ClaimSummary;
  peakConnections: number;
  performance: PerformanceReport;
}

export function perDeviceRewards(store: RunStore): DeviceReward[] {
  const rows = store.db
    .prepare(
      `SELECT d.device_index AS deviceIndex, d.device_id AS deviceId, d.owner AS owner, COALESCE(d.motion, 'real') AS motion,
              COALESCE(p.profile, d.motion, 'attached') AS profile,
              COALESCE(SUM(r.samples), 0) AS samples,
              GROUP_CONCAT(r.units) AS units, GROUP_CONCAT(r.reward_wei) AS rewards
       FROM devices d LEFT JOIN rewards r USING (device_index) LEFT JOIN device_profiles p USING (device_index)
       GROUP BY d.device_index ORDER BY d.device_index`,
    )
    .all() as Array<{ deviceIndex: number; deviceId: string; owner: string; motion: string; profile: string; samples: number; units: string | null; rewards: string | null }>;
  // Sums of wei exceed 2^63, so they are added as bigints rather than in SQL.
  const sum = (csv: string | null) => (csv === null ? 0n : csv.split(',').reduce((a, v) => a + BigInt(v), 0n));
  return rows.map((row) => ({
    deviceIndex: row.deviceIndex,
    deviceId: row.deviceId,
    owner: row.owner,
    motion: row.motion,
    profile: row.profile,
    samples: row.samples,
    units: sum(row.units).toString(),
    rewardWei: sum(row.rewards).toString(),
  }));
}

/** Per-profile counts from run.db, rewards summed from the per-device rewards. */
function profileRows(store: RunStore, perDevice: readonly DeviceReward[]): ProfileReport[] {
  const rows = store.db
    .prepare(
      `WITH pub AS (SELECT device_index, count(*) AS n FROM published GROUP BY device_index),
            acc AS (SELECT device_index, count(*) AS n FROM readings GROUP BY device_index),
            rej AS (SELECT client_id, count(*) AS n FROM rejections GROUP BY client_id),
            fl AS (SELECT device_index, count(DISTINCT epoch) AS n FROM flags GROUP BY device_index)
       SELECT p.profile AS profile, p.adversary AS adversary, count(*) AS devices,
              COALESCE(sum(pub.n), 0) AS published, COALESCE(sum(acc.n), 0) AS accepted,
              COALESCE(sum(rej.n), 0) AS rejected, COALESCE(sum(fl.n), 0) AS flaggedDeviceEpochs,
              count(fl.n) AS flaggedDevices
       FROM devices d JOIN device_profiles p USING (device_index)
       LEFT JOIN pub USING (device_index) LEFT JOIN acc USING (device_index)
       LEFT JOIN rej ON rej.client_id = d.device_id LEFT JOIN fl USING (device_index)
       GROUP BY p.profile, p.adversary ORDER BY p.adversary IS NOT NULL, p.profile`,
    )
    .all() as Array<Omit<ProfileReport, 'rewardWei' | 'rewardPerDeviceWei'>>;
  return rows.map((row) => {
    const reward = perDevice.filter((d) => d.profile === row.profile).reduce((a, d) => a + BigInt(d.rewardWei), 0n);
    return { ...row, rewardWei: reward.toString(), rewardPerDeviceWei: (reward / BigInt(row.devices)).toString() };
  });
}

export function buildReport(input: ReportInput): RunReport {
  const { scenario, ingest, chain, artifacts, settled } = input;
  const perDevice = perDeviceRewards(input.store);
  const proveMs = settled.map((b) => b.proveMs);
  const gas = settled.map((b) => BigInt(b.gasUsed));
  const settleTotal = gas.reduce((a, b) => a + b, 0n);
  const deviceEpochs = settled.reduce((n, b) => n + b.deviceIndexes.length, 0);
  const calldataBytes = settled.reduce((n, b) => n + b.calldataBytes, 0);
  const closeToMined = settled.map((b) => b.closeToMinedMs);
  const published = input.fleet.publishedCount();
  const unaccounted = input.store.unaccountedPublishes().reduce((n, r) => n + r.count, 0);
  const populations = input.store.messagePopulations(NON_MESSAGE_REASONS);
  const closedConnections: Record<string, number> = {};
  for (const [reason, n] of Object.entries(ingest.counters.rejected)) {
    if (rejectionKind(reason) === 'connection') closedConnections[reason] = n;
  }
  return {
    pinbench: { version: PINBENCH_VERSION },
    scenario: {
      name: scenario.name,
      seed: scenario.seed,
      source: input.source,
      devices: input.fleet.size,
      epochs: scenario.epochs.count,
      epochLengthS: scenario.epochs.lengthS,
    },
    runDir: input.runDir,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    ok: input.checks.every((c) => c.ok),
    checks: input.checks,
    timingsMs: input.timingsMs,
    counts: {
      published,
      received: ingest.counters.received,
      accepted: ingest.counters.accepted,
      rejected: { ...ingest.counters.rejected },
      unaccounted,
      fleet: populations.fleet,
      outside: populations.outside,
      refusedSubscribes: ingest.counters.rejected['acl.subscribe'] ?? 0,
      closedConnections,
      authFailures: input.authFailures,
      refusedLogins: input.refusedLogins,
    },
    latencyMs: input.latencyMs,
    ackLatencyMs: input.ackLatencyMs,
    connectMs: input.connectMs,
    broker: {
      url: input.broker.url, listeners: [...input.listeners], peakConnections: input.peakConnections,
      mode: input.broker.client === undefined ? 'embedded' : 'external',
      dropped: input.broker.client === undefined ? 0 : unaccounted,
      ...(({ connects, refused }) => ({ connects, refusedConnects: refused }))(input.fleet.connections()),
      takeovers: { total: input.takeovers.total(), devices: input.takeovers.byDevice() },
    },
    registration: { ...input.registration },
    chain: {
      rpcUrl: chain.rpcUrl, chainId: chain.chainId.toString(), embedded: chain.embedded, contracts: chain.addresses,
      transactions: (({ sent, confirmed, reverted, failed, rebroadcast, retried, outages, lostNoncesResent }) => ({ sent, confirmed, reverted, failed, rebroadcast, retried, outages, lostNoncesResent }))(chain.txStats()),
    },
    circuit: {
      key: artifacts.key,
      batchSize: artifacts.batchSize,
      readingsPerDevice: artifacts.readingsPerDevice,
      constraints: artifacts.constraints,
      ptauPower: artifacts.ptauPower,
    },
    epochs: input.epochStats.map((e) => ({
      ...e,
      batches: settled
        .filter((b) => b.epoch === e.epoch)
        .sort((a, b) => a.batch - b.batch)
        .map(({ epoch: _epoch, ...batch }) => batch),
    })),
    proofs: {
      count: settled.length,
      proveMsP50: percentile(proveMs, 50),
      proveMsMax: proveMs.reduce((a, b) => Math.max(a, b), 0),
      proveMsTotal: proveMs.reduce((a, b) => a + b, 0),
      closeToMinedMsP50: percentile(closeToMined, 50),
      closeToMinedMsP95: percentile(closeToMined, 95),
    },
    gas: {
      deploy: chain.deployGas.toString(),
      register: chain.registerGas().toString(),
      ...(chain.stakeGas() === 0n ? {} : { stake: chain.stakeGas().toString() }),
      settleTotal: settleTotal.toString(),
      settlePerBatchMax: gas.reduce((a, b) => (b > a ? b : a), 0n).toString(),
      perDeviceEpoch: deviceEpochs === 0 ? '0' : (settleTotal / BigInt(deviceEpochs)).toString(),
      calldataBytesPerDeviceEpoch: deviceEpochs === 0 ? 0 : Math.round((calldataBytes / deviceEpochs) * 10) / 10,
      claims: input.claims.claims,
      claimTotal: input.claims.gasUsed.toString(),
    },
    rewards: {
      totalWei: perDevice.reduce((a, d) => a + BigInt(d.rewardWei), 0n).toString(),
      perDevice,
      ...policyPart(input.scenario, input.store),
    },
    profiles: profileRows(input.store, perDevice),
    attached: input.attached,
    performance: input.performance,
  };
}

/** The policy's part of a run's or a resumed run's report, from the epoch books the close recorded in run.db. */
export function policyPart(scenario: Scenario, store: RunStore): { policy?: PolicyReport } {
  const policy = runPolicyOf(scenario);
  if (policy === undefined) return {};
  const params = store.getMeta('params');
  return {
    policy: {
      ...(params === undefined ? {} : { params }),
      emission: policy.emission.kind,
      epochs: epochBooks(store).map((b) => ({
        epoch: b.epoch, totalUnits: b.totalUnits.toString(), emissionWei: b.emissionWei.toString(),
        paidWei: (b.emissionWei - b.dustWei).toString(), dustWei: b.dustWei.toString(),
      })),
      ...(policy.stake === undefined ? {} : { stake: stakeReport(store, policy.stake) }),
    },
  };
}

function stakeReport(store: RunStore, stake: NonNullable<RewardPolicy['stake']>): NonNullable<PolicyReport['stake']> {
  const book = stakeBook(store, stake);
  return {
    perDeviceWei: stake.perDeviceWei.toString(), slashBps: stake.slashBps, bondedDevices: book.devices,
    flaggedDeviceEpochs: book.flaggedDeviceEpochs, slashedWei: book.slashedWei.toString(),
  };
}
