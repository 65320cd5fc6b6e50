/**
 * The plain report object every renderer reads. sim/ fills it; reports/ only renders it.
 * Amounts of wei and gas are decimal strings (they overflow a JS number).
 */
export interface RunReport {
  pinbench: { version: string };
  scenario: { name: string; seed: number; source: string; devices: number; epochs: number; epochLengthS: number };
  runDir: string;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  checks: ReportCheck[];
  timingsMs: Record<string, number>;
  counts: {
    published: number;
    received: number;
    accepted: number;
    rejected: Record<string, number>;
    unaccounted: number;
    authFailures: number;
  };
  latencyMs: { samples: number; p50: number; p95: number; p99: number; max: number };
  broker: { url: string; peakConnections: number };
  chain: {
    rpcUrl: string;
    chainId: string;
    embedded: boolean;
    contracts: { registry: string; token: string; settlement: string; verifier: string };
  };
  circuit: {
    key: string;
    batchSize: number;
    readingsPerDevice: number;
    constraints: number;
    ptauPower: number;
  };
  epochs: EpochReport[];
  proofs: { count: number; proveMsP50: number; proveMsMax: number; proveMsTotal: number };
  gas: { deploy: string; register: string; settleTotal: string; settlePerBatchMax: string; perDeviceEpoch: string };
  rewards: { totalWei: string; perDevice: DeviceReward[] };
}

export interface ReportCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface EpochReport {
  epoch: number;
  devices: number;
  readings: number;
  batches: BatchReport[];
}

export interface BatchReport {
  batch: number;
  deviceIndexes: number[];
  commitment: string;
  proveMs: number;
  gasUsed: string;
  txHash: string;
  closeToMinedMs: number;
  proofFile: string;
}

export interface DeviceReward {
  deviceIndex: number;
  deviceId: string;
  owner: string;
  motion: string;
  samples: number;
  units: string;
  rewardWei: string;
}
