import type { ThresholdResult, TimelineEventReport } from './verdicts.ts';
import type { SettledBatch } from '../core/settled-batch.ts';
import type { RunSample } from './sample.ts';

export interface LatencySummary {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** `--observe`: what the team's backend published back, and how long after each reading. */
export interface ObservedReport {
  /** Each filter and the messages it received (0: it never matched). */
  filters: Array<{ filter: string; messages: number }>;
  responses: number;
  /** Responses paired with a reading of the fleet (sim/observe/response-match.ts). */
  matched: number;
  unmatched: number;
  /** Reading sent → response received, wall clock. */
  latencyMs: LatencySummary;
}

/**
 * A run of the fleet alone against a team's broker and backend (`--backend none`): no ingest,
 * proofs or chain of pinbench's, so only what the devices themselves see is measured.
 */
export interface FleetOnlyReport extends ReportHeader {
  mode: 'fleet-only';
  broker: {
    url: string;
    peakConnections: number;
    /** Connections made, reconnects included; refused ones by reason as the devices saw them (`connack.not-authorized`, …). */
    connects: number;
    refusedConnects: Record<string, number>;
    /** Times an online device lost its connection. */
    connectionsLost: number;
  };
  counts: {
    /** Readings the broker acknowledged (PUBACK). */
    published: number;
    /** Publishes that failed (connection lost before the PUBACK). */
    publishFailed: number;
    /** Readings the devices' offline buffers dropped when full. */
    bufferDropped: number;
  };
  /** Publish → PUBACK, wall clock. */
  ackLatencyMs: LatencySummary;
  /** A device's connect: socket open → CONNACK, wall clock, reconnects included (absent in reports that predate it). */
  connectMs?: LatencySummary;
  observed: ObservedReport | null;
  performance: PerformanceReport;
}

/**
 * What `pinbench resume` writes for a run that stopped before its report (a crash, `kill -9`):
 * only what run.db and the chain hold, since the fleet's own measures died with the process,
 * and what the stop cut short.
 */
export interface ResumeReport extends ReportHeader {
  mode: 'resumed';
  resumed: {
    at: string;
    /** The run's own report, kept beside this one, when it wrote one (report.before-resume.json). */
    previousReport: string | null;
    /** Epochs that were open (or half closed) when the run stopped, closed by the resume. */
    epochsClosed: number[];
    /** Proof jobs finished by the resume: left queued or failed, or recorded settled but not on the chain. */
    jobsOwed: number;
    /** Of those, recorded as settled but missing on the chain (its last save predates them). */
    lostOnChain: number;
    /** What the stop cut short, one sentence each. */
    cutShort: string[];
  };
  counts: {
    /** Acknowledged publishes of the fleet that run.db holds. */
    published: number;
    accepted: number;
    rejected: Record<string, number>;
    /** Acknowledged publishes with neither a reading nor a rejection in run.db. */
    unaccounted: number;
  };
  epochs: Array<{ epoch: number; devices: number; readings: number; flagged: number; closedBy: 'run' | 'resume'; batches: number; settled: number }>;
  chain: { rpcUrl: string; embedded: boolean; contracts: { registry: string; token: string; settlement: string; verifier: string }; transactions: { sent: number; confirmed: number; failed: number } };
  rewards: { totalWei: string; perDevice: DeviceReward[]; policy?: PolicyReport };
  claims: { claims: number; gasUsed: string; failures: string[] };
}

/** A run paid by a reward policy other than today's rule (core/reward-policy/): what each epoch emitted. */
export interface PolicyReport {
  /** `pinbench run --params` as given, if the run had one. */
  params?: string;
  /** rate, constant, halving or decay. */
  emission: string;
  /** Per closed epoch: T_e, E_e, what the devices were paid and the unminted dust, wei as decimal strings. */
  epochs: Array<{ epoch: number; totalUnits: string; emissionWei: string; paidWei: string; dustWei: string }>;
  /** A policy with stakes: each registered device bonded with perDeviceWei; what the flagged device-epochs slashed (by run.db; a check compares the chain). */
  stake?: { perDeviceWei: string; slashBps: number; bondedDevices: number; flaggedDeviceEpochs: number; slashedWei: string };
}

/** What every run's report starts with, whatever ran. */
export interface ReportHeader {
  pinbench: { version: string };
  scenario: { name: string; seed: number; source: string; devices: number; epochs: number; epochLengthS: number };
  runDir: string;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  /** The built-in checks that apply to the run (a fleet-only run leaves out those on pinbench's backend). */
  checks: ReportCheck[];
  /** The scenario's `thresholds:`, evaluated (absent in reports that predate them). */
  thresholds?: ThresholdResult[];
  /** The scenario's `timeline:` events as they ran (absent in reports that predate them). */
  events?: TimelineEventReport[];
  timingsMs: Record<string, number>;
}

/**
 * The plain report object every renderer reads. sim/ fills it; reports/ only renders it.
 * Amounts of wei and gas are decimal strings (they overflow a JS number).
 */
export interface RunReport extends ReportHeader {
  counts: {
    /** The fleet's publishes its broker acknowledged (PUBACK). */
    published: number;
    /** Messages the ingest judged, from the fleet or not: `accepted` + the message rejections (refused subscribes and closed connections are none). */
    received: number;
    /** Readings accepted, from the fleet or not. */
    accepted: number;
    /** Rejections by reason as in run.db, messages and the rest (`acl.subscribe`, `payload.too-large`, `protocol.violation`). */
    rejected: Record<string, number>;
    unaccounted: number;
    /**
     * The fleet's acknowledged publishes by outcome: `published` = accepted + rejected +
     * unaccounted (absent in reports that predate it). A publish is the fleet's by its digest.
     */
    fleet?: { accepted: number; rejected: number; unaccounted: number };
    /**
     * Messages the ingest judged that are no fleet publish: attached boards, other MQTT clients
     * (a mosquitto client with a device's login included), and fleet readings whose PUBACK was lost.
     */
    outside?: { received: number; accepted: number; rejected: number };
    /** Subscribes the ACL refused (`acl.subscribe`): no reading, so apart from the messages. */
    refusedSubscribes?: number;
    /** Connections the broker closed on a packet, by reason: `payload.too-large` (refused before it was read), `protocol.violation`. */
    closedConnections?: Record<string, number>;
    authFailures: number;
    /** Logins refused and TLS handshakes failed, by reason (`password`, `certificate`, `unknown-device`, `tls`). */
    refusedLogins: Record<string, number>;
  };
  /** Publish → accept: from a device's send to the ingest's verdict, wall clock. */
  latencyMs: LatencySummary;
  /** Publish → PUBACK: from a device's send to its broker's acknowledgement, wall clock, as the devices saw it. */
  ackLatencyMs: LatencySummary;
  /** A device's connect: socket open → CONNACK, wall clock, reconnects included (absent in reports that predate it). */
  connectMs?: LatencySummary;
  broker: {
    url: string;
    listeners: string[];
    peakConnections: number;
    /** `embedded`: pinbench's own broker; `external`: a team's broker, which the backend was a client of. */
    mode: 'embedded' | 'external';
    /** On a team's broker: publishes it acknowledged to a device but never delivered to the backend (its ACL refused them, or it dropped them). */
    dropped: number;
    /** Connections the devices made (reconnects included), and the ones that failed, by reason (`connack.not-authorized`, `unreachable`, …), as the devices saw them. */
    connects: number;
    refusedConnects: Record<string, number>;
    /**
     * Logins that took over a connected device's session (MQTT lets the newer one win), per
     * device; `flagged` at 3 within 60 s (backend/broker/session-takeovers.ts says why). The
     * embedded broker's only (absent in reports that predate it).
     */
    takeovers?: { total: number; devices: Array<{ deviceId: string; count: number; flagged: boolean }> };
  };
  /** The owner proposal / device confirm exchange: proposals sent, confirms accepted (devices registered that way), confirms refused. */
  registration: { proposed: number; confirmed: number; refused: number };
  chain: {
    rpcUrl: string;
    chainId: string;
    embedded: boolean;
    contracts: { registry: string; token: string; settlement: string; verifier: string };
    /** The operator's transactions after deployment: pre-signed, sent without waiting, re-sent when dropped. */
    transactions: {
      sent: number;
      confirmed: number;
      reverted: number;
      failed: number;
      rebroadcast: number;
      retried: number;
      /** Times the node stopped answering (refused, reset) and the sender waited for it (chain.restart). */
      outages: number;
      /** Transactions sent again because the chain came back from an older state and lost them. */
      lostNoncesResent: number;
    };
  };
  circuit: {
    key: string;
    batchSize: number;
    readingsPerDevice: number;
    constraints: number;
    ptauPower: number;
  };
  epochs: EpochReport[];
  proofs: {
    count: number;
    proveMsP50: number;
    proveMsMax: number;
    proveMsTotal: number;
    /** Wall time from the start of an epoch's close (summary included) to its batch's settlement being mined. */
    closeToMinedMsP50: number;
    closeToMinedMsP95: number;
  };
  gas: {
    deploy: string;
    register: string;
    /** Bonding the devices' stakes (depositStake), with a stake policy. */
    stake?: string;
    settleTotal: string;
    settlePerBatchMax: string;
    /** Settlement gas over the device-epochs in settled batches (devices with readings). */
    perDeviceEpoch: string;
    /** Settlement calldata bytes over the same device-epochs. */
    calldataBytesPerDeviceEpoch: number;
    /** Owners' claim transactions at the end of the run (paid by the owners). */
    claims: number;
    claimTotal: string;
  };
  rewards: { totalWei: string; perDevice: DeviceReward[]; policy?: PolicyReport };
  performance: PerformanceReport;
  /** One row per device profile (motion, faults, adversary): the cost of cheating, and false positives. */
  profiles: ProfileReport[];
  /** Real devices that joined the run (scenario `attached:`, `--attach`, `--wait-for`). */
  attached: AttachedDeviceReport[];
  /** The user stopped the run early (`q` in the live view): when, in simulated seconds, and the epochs left open (their readings stay in run.db, unsettled). */
  stoppedByUser?: { atSimS: number; epochsOpen: number[] };
}

export interface AttachedDeviceReport {
  deviceId: string;
  source: 'scenario' | 'device add';
  owner: string;
  /** Registry index, null when it never got on chain. */
  deviceIndex: number | null;
  /** At the end of the run. */
  state: 'online' | 'offline' | 'never heard from';
  /** Publishes the broker received from it (refused ones included). */
  publishes: number;
  accepted: number;
  rejected: Record<string, number>;
  /** Epochs the detection rules flagged it in (not paid): e.g. readings faster than its configured upload period. */
  flaggedEpochs: number[];
  /** Read from the settlement contract before the claims. */
  unitsAccrued: string;
  /** Its owner claims it with `pinbench claim <run folder> --owner-key <hex>`. */
  rewardWei: string;
}

export interface ProfileReport {
  profile: string;
  /** Adversary name, or null for honest devices (faulty ones included). */
  adversary: string | null;
  devices: number;
  published: number;
  accepted: number;
  rejected: number;
  /** Device-epochs the epoch summary flagged (and did not pay). */
  flaggedDeviceEpochs: number;
  /** Devices flagged at least once; for honest profiles these are false positives. */
  flaggedDevices: number;
  rewardWei: string;
  rewardPerDeviceWei: string;
}

export interface ReportCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface EpochReport {
  epoch: number;
  /** Devices with accepted readings in the epoch. */
  devices: number;
  readings: number;
  /** Devices flagged in the epoch: their readings are committed with flags and earn nothing. */
  flagged: number;
  batches: BatchReport[];
}

/** A settled batch in its epoch's table (core/settled-batch.ts, without the epoch it is listed under). */
export type BatchReport = Omit<SettledBatch, 'epoch'>;

export interface DeviceReward {
  deviceIndex: number;
  deviceId: string;
  owner: string;
  motion: string;
  profile: string;
  samples: number;
  units: string;
  rewardWei: string;
}

/**
 * Peak resident memory of a run's processes: the highest sum of all of them at one moment (run,
 * fleet process, embedded chain node, provers), and each one's own peak (null for a process the
 * run did not have: fleet inline, chain external).
 */
export interface WholeRunMemory {
  peakTotalBytes: number;
  runPeakBytes: number;
  fleetPeakBytes: number | null;
  chainPeakBytes: number | null;
  /** The prover processes together. */
  proverPeakBytes: number | null;
}

/** How the run itself performed: throughput, connections and device states over time, and the simulator's overhead. */
export interface PerformanceReport {
  timeMode: 'realtime' | 'accelerated';
  /** Simulated seconds per wall second over the fleet run (1 in realtime). */
  simSpeed: number;
  acceptedPerSecond: { mean: number; peak: number };
  /** Peak resident memory of the run's process (broker, ingest, store, chain client, settlement). */
  peakRssBytes: number;
  /** Peak resident memory of the fleet process when the fleet ran in its own; null when it ran in the run's process. */
  childPeakRssBytes: number | null;
  /** Memory from the fleet's start to the report, settlement and claims included; null in reports that predate it. */
  wholeRun: WholeRunMemory | null;
  cpuPercentOfCore: number;
  loopLagMs: { mean: number; p50: number; p99: number; max: number };
  /** Realtime only: how late device timers fired; large values mean the load generator set the pace. */
  timerLatenessMs: { samples: number; p50: number; p95: number; p99: number; max: number } | null;
  timeline: TimelinePoint[];
}

/**
 * A point of `performance.timeline`: a `RunSample` (reports/sample.ts) in reports from the
 * sample stream on; older reports have only the first nine fields, so a reader checks the rest.
 */
export type TimelinePoint = Pick<RunSample, 'tS' | 'simTimeS' | 'publishedPerS' | 'acceptedPerS' | 'connections' | 'cpuPercent' | 'rssMb' | 'loopLagP99Ms' | 'states'> &
  Partial<Omit<RunSample, 'tS' | 'simTimeS' | 'publishedPerS' | 'acceptedPerS' | 'connections' | 'cpuPercent' | 'rssMb' | 'loopLagP99Ms' | 'states'>>;
