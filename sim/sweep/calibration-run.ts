import { bytesToHex } from '@noble/hashes/utils.js';
import { createEpochCalendar } from '../../backend/epochs/calendar.ts';
import type { DeviceMeta } from '../../backend/epochs/device-epoch.ts';
import { ingestCodecFor } from '../../backend/ingest/ingest-codecs.ts';
import { Ingest, type IngestDevice } from '../../backend/ingest/ingest.ts';
import type { AcceptedReading, Rejection, StoredReading } from '../../backend/store/run-store.ts';
import { silentLogger } from '../../core/ports.ts';
import { createVerifier } from '../../protocol/verify.ts';
import { topicLayout } from '../../protocol/topics.ts';
import type { FleetGroup, Scenario } from '../../scenarios/index.ts';
import { DiscreteClock } from '../clock/discrete.ts';
import { DEFAULT_ACCELERATED_START } from '../clock/sim-time.ts';
import { planFleet, type PlannedDevice } from '../fleet/fleet-plan.ts';
import { buildTrackers } from '../fleet/fleet-runtime.ts';
import { powerOnFleet } from '../fleet/power-on.ts';
import { deviceEpochRecord, type DeviceEpochRecord } from './device-epoch-record.ts';
import { publishSinkConnector } from './publish-sink-connector.ts';

/** The readings the ingest accepted, kept in memory by (device, epoch) instead of run.db. */
class AcceptedByDeviceEpoch {
  private readonly rows = new Map<string, { readings: StoredReading[]; packages: Uint8Array[] }>();
  /** Refusals by client id and reason since the last `takeRejections`. */
  private rejections = new Map<string, Record<string, number>>();

  addReading(r: AcceptedReading): void {
    const key = `${r.deviceIndex}:${r.epoch}`;
    let entry = this.rows.get(key);
    if (entry === undefined) this.rows.set(key, (entry = { readings: [], packages: [] }));
    entry.readings.push({ deviceIndex: r.deviceIndex, timestampS: r.timestampS, latE7: r.latE7, lonE7: r.lonE7 });
    entry.packages.push(r.packageBytes);
  }

  addRejection(r: Rejection): void {
    if (r.clientId === null) return;
    const counts = this.rejections.get(r.clientId) ?? {};
    counts[r.reason] = (counts[r.reason] ?? 0) + 1;
    this.rejections.set(r.clientId, counts);
  }

  /** A device's epoch, then forgotten: a close holds one epoch at a time, as the backend's does. */
  take(deviceIndex: number, epoch: number): { readings: StoredReading[]; packages: Uint8Array[] } {
    const key = `${deviceIndex}:${epoch}`;
    const entry = this.rows.get(key) ?? { readings: [], packages: [] };
    this.rows.delete(key);
    return entry;
  }

  /** What the close of an epoch counts: refusals since the previous close (backend/epochs/close-epoch.ts). */
  takeRejections(): Map<string, Record<string, number>> {
    const out = this.rejections;
    this.rejections = new Map();
    return out;
  }
}

export interface CalibrationRunOptions {
  /** Epochs to run from the scenario's start (its epoch length); at most the scenario's count is not required. */
  epochs: number;
  /** h3 resolution of the cells recorded per device-epoch. */
  resolution: number;
  /** Where route files are found. */
  scenarioDir: string;
  /**
   * Run only the first this many devices (in plan order) of each profile; default all. The rest
   * of the fleet is still planned: key sharing (sybil), wrong-topic victims and the profile mix
   * count every device. A 24-hour epoch costs ~250 µs of signing and checking per reading.
   */
  devicesPerProfile?: number;
  /** Hears each device-epoch's readings beside the record made of them (a report's drill-down; tests check records against the rule). */
  observe?: (epoch: number, input: { deviceIndex: number; readings: readonly StoredReading[] }, record: DeviceEpochRecord) => void;
}

/** A calibrated device as the pools need it: which profile it had. */
export interface CalibratedDevice {
  /** Plan index (0-based; its registry index is one more). */
  index: number;
  /** The report's label (fleet-plan.ts profileLabel). */
  profile: string;
  /** Devices of the scenario with this profile, run or not (devicesPerProfile). */
  scenarioDevices: number;
  motion: string;
  faults: string[];
  adversary: string | undefined;
}

export interface CalibrationRunResult {
  devices: readonly CalibratedDevice[];
  /** records[epoch][k]: device k of `devices` in that epoch. */
  records: DeviceEpochRecord[][];
}

/**
 * Runs the scenario's fleet as a full run does (the same plan, trackers, seeds, behaviours and
 * ramp) on a discrete clock, with the MQTT seam ending in the real ingest in this process: its
 * signature, timestamp, replay and epoch checks, and the broker's ACL rule for topics. No
 * broker, chain or proof. At each epoch end every device's epoch is closed by the backend's own
 * functions (closeDeviceEpoch: detection rules, flags, the reward rule) into a record.
 */
export async function runCalibrationFleet(scenario: Scenario, options: CalibrationRunOptions): Promise<CalibrationRunResult> {
  const startMs = Date.parse((scenario.time.mode === 'accelerated' ? scenario.time.startAt : undefined) ?? DEFAULT_ACCELERATED_START);
  const planned = planFleet(scenario, { scenarioDir: options.scenarioDir, startMs });
  const plan = { ...planned, devices: firstPerProfile(planned.devices, options.devicesPerProfile ?? Infinity) };
  const sliceMs = scenario.time.mode === 'accelerated' ? scenario.time.sliceMs : 5000;
  // No I/O but promise chains: one macrotask turn lets every publish and its acknowledgement run.
  const clock = new DiscreteClock({ startMs, sliceMs, speed: Infinity, wallNowMs: Date.now, settle: () => new Promise((resolve) => setImmediate(resolve)) });
  const calendar = createEpochCalendar(Math.ceil(startMs / 1000), scenario.epochs.lengthS, options.epochs);
  const topics = topicLayout(scenario.topics);
  const store = new AcceptedByDeviceEpoch();

  const keyUses = new Map<string, number>();
  for (const { spec } of planned.devices) keyUses.set(bytesToHex(spec.publicKey), (keyUses.get(bytesToHex(spec.publicKey)) ?? 0) + 1);
  const ingestDevices = new Map<string, IngestDevice>();
  const metas: DeviceMeta[] = plan.devices.map(({ spec }) => {
    // Registry indexes start at 1, in plan order, as the fleet registers.
    const deviceIndex = spec.index + 1;
    ingestDevices.set(spec.id, { index: deviceIndex, verify: createVerifier(spec.publicKey, spec.curve).verify });
    return { deviceIndex, uploadPeriodS: spec.uploadPeriodS, keyShares: keyUses.get(bytesToHex(spec.publicKey)) ?? 1 };
  });
  const ingest = new Ingest({
    store,
    codec: ingestCodecFor(scenario.codec),
    devices: ingestDevices,
    calendar,
    maxClockSkewS: scenario.ingest.maxClockSkewS,
    topics,
    simNowMs: () => clock.nowMs(),
    wallNowMs: () => clock.nowMs(),
  });
  const connector = publishSinkConnector((clientId, topic, payload) => {
    // The broker's ACL first (backend/broker/embedded-broker.ts), then the data topic to the ingest.
    if (!topics.mayPublish(clientId, topic)) {
      ingest.reject(clientId, topic, payload, 'acl.publish', 'calibration: topic refused by the ACL rule');
      return;
    }
    if (topics.uplinkKind(clientId, topic) === 'data') ingest.handlePublish(clientId, topic, payload);
  });
  // Registration by the registrar for every group: a confirm handshake needs the backend's downlink, and it does not change what is published.
  const registered: Scenario = { ...scenario, fleet: scenario.fleet.map((g) => ('registration' in g ? { ...g, registration: 'registrar' as const } : g)) };
  const trackers = buildTrackers({
    scenario: registered,
    plan,
    clock,
    connector,
    register: () => Promise.resolve(),
    logger: silentLogger,
    events: {
      published(deviceId, topic, bytes, timestampS) {
        plan.archive?.record({ deviceId, topic, payload: bytes, timestampS });
      },
      publishFailed: () => undefined,
      stateChanged: () => undefined,
    },
  });
  const cancelPowerOns = powerOnFleet(trackers, clock, scenario.ramp);
  const ctx = {
    params: { unitsPerSample: BigInt(scenario.reward.unitsPerSample), maxStepE7: BigInt(scenario.reward.maxStepE7), rewardPerUnitWei: 1n },
    readingsPerDevice: scenario.circuit.readingsPerDevice,
    epochLengthS: scenario.epochs.lengthS,
  };
  const profileCounts = new Map<string, number>();
  for (const d of planned.devices) profileCounts.set(d.profile, (profileCounts.get(d.profile) ?? 0) + 1);
  const records: DeviceEpochRecord[][] = [];
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      await clock.runUntil(calendar.endOfS(epoch) * 1000);
      await ingest.drain();
      ingest.closeEpoch(epoch);
      const rejected = store.takeRejections();
      records.push(plan.devices.map(({ spec }, k) => {
        const { readings, packages } = store.take(metas[k]!.deviceIndex, epoch);
        const record = deviceEpochRecord({ deviceIndex: metas[k]!.deviceIndex, readings, packages, rejected: rejected.get(spec.id) ?? {}, meta: metas[k]! }, ctx, options.resolution);
        options.observe?.(epoch, { deviceIndex: metas[k]!.deviceIndex, readings }, record);
        return record;
      }));
    }
  } finally {
    cancelPowerOns();
    clock.stop();
    await Promise.all(trackers.map((t) => t.stop()));
    await ingest.close();
  }
  const devices = plan.devices.map((d) => ({
    scenarioDevices: profileCounts.get(d.profile)!,
    index: d.spec.index,
    profile: d.profile,
    motion: d.spec.motion,
    faults: (scenario.fleet[d.group] as FleetGroup).faults.map((f) => f.name),
    adversary: d.adversary,
  }));
  return { devices, records };
}

function firstPerProfile(devices: readonly PlannedDevice[], limit: number): PlannedDevice[] {
  const taken = new Map<string, number>();
  return devices.filter((d) => {
    const n = taken.get(d.profile) ?? 0;
    taken.set(d.profile, n + 1);
    return n < limit;
  });
}
