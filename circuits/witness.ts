/**
 * Builds the batch circuit's input from the readings (with flags) of the devices a batch
 * covers, using core/reward-rule.ts for every value the circuit recomputes, so the public
 * signals are known before proving.
 */
import { PinbenchError } from '../core/errors.ts';
import {
  DEFAULT_SHAPE, NO_CIRCUIT_POLICY, circuitLat, policyUnits, validateCircuitPolicy, type CircuitPolicy, circuitLon, validateRuleParams, type RuleParams, batchCommitment, batchDeviceIndexes, deviceLeafHash, encodeHeader,
  packLanes, selectEpochReadings, validateShape, workUnits, type WorkReading, type CircuitShape,
} from '../core/reward-rule.ts';

export interface BatchDevice {
  /** Registry index; must lie in batch·B+1 … batch·B+B. */
  deviceIndex: number;
  /** The device's accepted readings of the epoch, each with its `flagged` bit. */
  readings: WorkReading[];
  /** Coverage units of the reward policy (core/reward-policy/rewards.ts step 2), committed in the leaf; default 0. */
  coverageUnits?: bigint;
}

export interface BatchWitnessRequest {
  epoch: number;
  batch: number;
  params: RuleParams;
  /** The reward policy's per-device part; default none (today's rule). */
  policy?: CircuitPolicy;
  /** Devices of this batch that have readings; the others get empty slots. */
  devices: BatchDevice[];
}

/** The circuit's input signals as decimal strings (JSON- and worker-safe). */
export interface BatchCircuitInput {
  header: string;
  commitment: string;
  lane: string[];
  epoch: string;
  batch: string;
  unitsPerSample: string;
  maxStepE7: string;
  capUnits: string;
  minSamples: string;
  epochPenalty: string;
  coverage: string[];
  lat: string[][];
  lon: string[][];
  ts: string[][];
  flag: string[][];
}

export interface BatchWitness {
  input: BatchCircuitInput;
  header: bigint;
  commitment: bigint;
  /** Per slot d (length B), device batch·B + d + 1. */
  deviceIndexes: number[];
  /** Per slot: the units its lane carries (policyUnits of the rule's units and the coverage). */
  units: bigint[];
  /** Per slot: a flagged reading among its K (the lane's flag bit, what a stake slashes). */
  flagged: boolean[];
  lanes: bigint[];
  /** In circuit order: header, commitment, lane_0 … lane_{L-1}. */
  publicSignals: bigint[];
}

export function buildBatchWitness(request: BatchWitnessRequest, shape: CircuitShape = DEFAULT_SHAPE): BatchWitness {
  validateShape(shape);
  validateRuleParams(request.params);
  const { batchSize: b, readingsPerDevice: k } = shape;
  const { epoch, batch, params } = request;
  const policy = request.policy ?? NO_CIRCUIT_POLICY;
  validateCircuitPolicy(policy);
  const header = encodeHeader(epoch, batch, params, policy);
  const deviceIndexes = batchDeviceIndexes(batch, b);
  const first = deviceIndexes[0]!;
  const bySlot: Array<WorkReading[] | undefined> = new Array(b).fill(undefined);
  const coverageBySlot: bigint[] = new Array(b).fill(0n);
  request.devices.forEach((d, i) => {
    const slot = d.deviceIndex - first;
    if (!Number.isSafeInteger(d.deviceIndex) || slot < 0 || slot >= b) {
      throw new PinbenchError('WITNESS_DEVICE_OUTSIDE_BATCH', `devices[${i}].deviceIndex ${String(d.deviceIndex)} is not in batch ${batch}, which covers indexes ${first}..${first + b - 1} (batch = floor((index - 1) / ${b})); put the device in its own batch`, { details: { deviceIndex: d.deviceIndex, batch, batchSize: b } });
    }
    if (bySlot[slot] !== undefined) {
      throw new PinbenchError('WITNESS_DUPLICATE_DEVICE', `devices[${i}].deviceIndex ${d.deviceIndex} appears twice in batch ${batch}; merge the device's readings into one entry`, { details: { deviceIndex: d.deviceIndex } });
    }
    bySlot[slot] = d.readings;
    coverageBySlot[slot] = d.coverageUnits ?? 0n;
  });

  const input: BatchCircuitInput = {
    header: header.toString(), commitment: '', lane: [],
    epoch: String(epoch), batch: String(batch),
    unitsPerSample: params.unitsPerSample.toString(), maxStepE7: params.maxStepE7.toString(),
    capUnits: policy.capUnits.toString(), minSamples: String(policy.minSamples), epochPenalty: policy.epochPenalty ? '1' : '0',
    coverage: coverageBySlot.map(String),
    lat: [], lon: [], ts: [], flag: [],
  };
  const units: bigint[] = [];
  const flagged: boolean[] = [];
  const leaves: bigint[] = [];
  for (let d = 0; d < b; d++) {
    const selected = selectEpochReadings(bySlot[d] ?? [], k);
    units.push(policyUnits(selected, workUnits(selected, params, k), coverageBySlot[d]!, policy));
    flagged.push(selected.some((r) => r.flagged));
    leaves.push(deviceLeafHash(deviceIndexes[d]!, selected, k, coverageBySlot[d]!));
    const at = <T>(f: (r: WorkReading) => T, empty: T): T[] => Array.from({ length: k }, (_, i) => (selected[i] ? f(selected[i]) : empty));
    input.lat.push(at((r) => circuitLat(r.latE7).toString(), '0'));
    input.lon.push(at((r) => circuitLon(r.lonE7).toString(), '0'));
    input.ts.push(at((r) => String(r.timestampS), '0'));
    input.flag.push(at((r) => (r.flagged ? '1' : '0'), '0'));
  }
  const lanes = packLanes(units, flagged);
  const commitment = batchCommitment(header, leaves);
  input.commitment = commitment.toString();
  input.lane = lanes.map(String);
  return { input, header, commitment, deviceIndexes, units, flagged, lanes, publicSignals: [header, commitment, ...lanes] };
}
