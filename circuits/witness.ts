/**
 * Builds the batch circuit's input from devices' epoch readings, using core/reward-rule.ts for
 * every value the circuit recomputes, so the public signals are known before proving.
 */
import { PinbenchError } from '../core/errors.ts';
import {
  DEFAULT_SHAPE, batchCommitment, circuitLat, circuitLon, deviceLeafHash, selectEpochReadings,
  slotValue, validateDeviceIndex, validateRuleParams, validateShape, workUnits,
  type CircuitShape, type RuleParams, type WorkReading,
} from '../core/reward-rule.ts';

export interface BatchDevice {
  deviceIndex: number;
  readings: WorkReading[];
}

export interface BatchWitnessRequest {
  epoch: number;
  batch: number;
  params: RuleParams;
  /** At most batchSize devices; unused slots are filled with empty devices. */
  devices: BatchDevice[];
}

/** The circuit's input signals as decimal strings (JSON- and worker-safe). */
export interface BatchCircuitInput {
  epoch: string;
  batch: string;
  commitment: string;
  unitsPerSample: string;
  maxStepE7: string;
  slot: string[];
  deviceIndex: string[];
  lat: string[][];
  lon: string[][];
  ts: string[][];
  present: string[][];
}

export interface BatchWitness {
  input: BatchCircuitInput;
  commitment: bigint;
  /** Per slot (length batchSize): deviceIndex·2^64 + units; 0 for unused slots. */
  slots: bigint[];
  /** Per slot (length batchSize). */
  units: bigint[];
  /** In circuit order: epoch, batch, commitment, unitsPerSample, maxStepE7, slot[0..B-1]. */
  publicSignals: bigint[];
}

export function buildBatchWitness(request: BatchWitnessRequest, shape: CircuitShape = DEFAULT_SHAPE): BatchWitness {
  validateShape(shape);
  validateRuleParams(request.params);
  const { batchSize: b, readingsPerDevice: k } = shape;
  const { epoch, batch, params, devices } = request;
  if (devices.length > b) {
    throw new PinbenchError('WITNESS_TOO_MANY_DEVICES', `batch ${batch} of epoch ${epoch} has ${devices.length} devices but the circuit takes batchSize ${b}; split the devices into batches of at most ${b}`, { details: { devices: devices.length, batchSize: b } });
  }
  const seen = new Set<number>();
  devices.forEach((d, i) => {
    validateDeviceIndex(d.deviceIndex, `devices[${i}].deviceIndex`);
    if (seen.has(d.deviceIndex)) {
      throw new PinbenchError('WITNESS_DUPLICATE_DEVICE', `devices[${i}].deviceIndex ${d.deviceIndex} appears twice in batch ${batch}; merge the device's readings into one entry`, { details: { deviceIndex: d.deviceIndex } });
    }
    seen.add(d.deviceIndex);
  });

  const input: BatchCircuitInput = {
    epoch: String(epoch), batch: String(batch), commitment: '',
    unitsPerSample: params.unitsPerSample.toString(), maxStepE7: params.maxStepE7.toString(),
    slot: [], deviceIndex: [], lat: [], lon: [], ts: [], present: [],
  };
  const slots: bigint[] = [];
  const units: bigint[] = [];
  const leaves: bigint[] = [];
  for (let d = 0; d < b; d++) {
    const device = devices[d] ?? { deviceIndex: 0, readings: [] };
    const selected = selectEpochReadings(device.readings, k);
    const deviceUnits = workUnits(selected, params, k);
    const slot = slotValue(device.deviceIndex, deviceUnits);
    units.push(deviceUnits);
    slots.push(slot);
    leaves.push(deviceLeafHash(device.deviceIndex, selected, k));
    input.slot.push(slot.toString());
    input.deviceIndex.push(String(device.deviceIndex));
    input.lat.push(Array.from({ length: k }, (_, i) => (selected[i] ? circuitLat(selected[i].latE7).toString() : '0')));
    input.lon.push(Array.from({ length: k }, (_, i) => (selected[i] ? circuitLon(selected[i].lonE7).toString() : '0')));
    input.ts.push(Array.from({ length: k }, (_, i) => (selected[i] ? String(selected[i].timestampS) : '0')));
    input.present.push(Array.from({ length: k }, (_, i) => (selected[i] ? '1' : '0')));
  }
  const commitment = batchCommitment(epoch, batch, leaves);
  input.commitment = commitment.toString();
  const publicSignals = [BigInt(epoch), BigInt(batch), commitment, params.unitsPerSample, params.maxStepE7, ...slots];
  return { input, commitment, slots, units, publicSignals };
}
