import { describe, expect, it } from 'vitest';
import { detectAnomalies, type EpochReading } from '../../backend/epochs/detect.ts';
import { createMotion } from '../../devices/motion/create.ts';
import { readRouteFile } from '../../devices/motion/route-file.ts';
import { buildFleet } from '../../devices/fleet.ts';
import { createBehaviour, MOTION_NAMES, type AdversaryName, type FaultName } from '../../devices/behaviour-profiles.ts';
import { seededRandom } from '../../devices/random.ts';
import { createSensorModel } from '../../devices/sensors/sensors.ts';
import type { DeviceSpec } from '../../devices/spec.ts';

const T0 = Date.UTC(2025, 5, 1, 0);
const HOUR_S = 3600;
const route = readRouteFile('test/devices/fixtures/mitte.gpx');

/** A device's readings as the ingest would accept them: one per upload, clock offset applied, position omitted without a fix. */
function readingsOf(spec: DeviceSpec, options: { faults?: FaultName[]; adversary?: AdversaryName; hours: number; periodS: number; useRoute?: boolean }): EpochReading[] {
  const random = seededRandom('detect', 'device', spec.index);
  const made = createBehaviour({ spec, random: seededRandom('detect', 'behaviour', spec.index), startMs: T0, faults: options.faults ?? [], ...(options.adversary ? { adversary: options.adversary } : {}) });
  const motion =
    made.motion ??
    createMotion({ area: spec.area, profile: spec.motion, start: spec.start, startMs: T0, random, dropouts: { perHour: 1 }, ...(options.useRoute ? { route } : {}) });
  const sensors = made.sensors ?? createSensorModel(random, T0);
  const out: EpochReading[] = [];
  const phaseMs = Math.floor(random.next() * options.periodS * 1000);
  for (let t = T0 + phaseMs; t < T0 + options.hours * HOUR_S * 1000; t += options.periodS * 1000) {
    // A flaky device loses some readings (buffer overflow); the rest keep their own timestamps.
    if (options.faults?.includes('flaky-network') && random.next() < 0.2) continue;
    const data = sensors.sample(t, motion.sample(t));
    const offsetMs = made.behaviour?.clockOffsetMs?.(t) ?? 0;
    out.push({
      timestampS: Math.floor((t + offsetMs) / 1000),
      latE7: data.latitude,
      lonE7: data.longitude,
      accelerometer: data.accelerometer,
      gyroscope: data.gyroscope,
      temperature: data.temperature,
      humidity: data.humidity,
      pressure: data.pressure,
    });
  }
  return out;
}

/** Detection per epoch of `epochH` hours. */
function flagsOf(readings: EpochReading[], epochH: number): string[] {
  const epochs = new Map<number, EpochReading[]>();
  for (const r of readings) {
    const e = Math.floor((r.timestampS - T0 / 1000) / (epochH * HOUR_S));
    epochs.set(e, [...(epochs.get(e) ?? []), r]);
  }
  return [...epochs.values()].flatMap((epoch) => detectAnomalies(epoch).map((d) => `${d.flag}: ${d.evidence}`));
}

describe('cheat detection', () => {
  it('behavior: honest devices of every motion, with and without network faults, on grids and routes, are never flagged', () => {
    const fleet = buildFleet({ seed: 'honest', count: 96, uploadPeriodS: 60, motion: { stationary: 1, walk: 1, bike: 1, car: 1 } });
    const faultSets: FaultName[][] = [[], ['flaky-network'], ['clock-skew'], ['flaky-network', 'clock-skew']];
    const flagged: string[] = [];
    let readings = 0;
    fleet.forEach((spec, k) => {
      const periodS = [10, 60, 300][k % 3]!;
      const r = readingsOf(spec, { faults: faultSets[k % 4]!, hours: periodS === 10 ? 6 : 24, periodS, useRoute: k % 5 === 0 });
      readings += r.length;
      for (const flag of [...flagsOf(r, 1), ...flagsOf(r, 24)]) flagged.push(`${spec.index} ${spec.motion} ${faultSets[k % 4]!.join('+')} @${periodS}s: ${flag}`);
    });
    expect(new Set(fleet.map((s) => s.motion))).toEqual(new Set(MOTION_NAMES));
    expect(readings).toBeGreaterThan(50_000);
    expect(flagged).toEqual([]);
  });

  it.each([10, 60])('behavior: gps-spoofing is flagged for teleports and impossible speed (upload every %i s, 6-hour epochs)', (periodS) => {
    const fleet = buildFleet({ seed: 'spoof', count: 10, uploadPeriodS: periodS, motion: 'walk' });
    for (const spec of fleet) {
      const detections = detectAnomalies(readingsOf(spec, { adversary: 'gps-spoofing', hours: 6, periodS }));
      expect(detections.map((d) => d.flag).sort()).toEqual(['impossible-speed', 'teleport']);
    }
  });

  it('behavior: the emulator is flagged noise-free in every hourly epoch, with evidence', () => {
    const fleet = buildFleet({ seed: 'emu', count: 8, uploadPeriodS: 60, motion: { stationary: 1, walk: 1, bike: 1, car: 1 } });
    for (const spec of fleet) {
      const r = readingsOf(spec, { adversary: 'emulator', hours: 6, periodS: 60 });
      const flags = flagsOf(r, 1);
      expect(flags).toHaveLength(6);
      for (const f of flags) expect(f).toMatch(/^noise-free: .*gyroscope axis x constant at 0 over \d+ readings/);
    }
  });

  it('args: evidence names the step', () => {
    const r = (timestampS: number, lat: number, lon: number): EpochReading => ({ timestampS, latE7: Math.round(lat * 1e7), lonE7: Math.round(lon * 1e7) });
    expect(detectAnomalies([r(1000, 52.5, 13.4), r(1060, 52.5, 13.45)])).toEqual([]);
    expect(detectAnomalies([r(1000, 52.5, 13.4), r(1010, 52.51, 13.4)])).toEqual([
      { flag: 'impossible-speed', value: expect.closeTo(106.2, 1), atS: 1010, evidence: '106 m/s between 1000 and 1010 (1.11 km), above 70 m/s' },
    ]);
    expect(detectAnomalies([r(1000, 52.5, 13.4), r(1060, 48.1, 11.6)]).map((d) => d.flag)).toEqual(['impossible-speed', 'teleport']);
    expect(detectAnomalies([r(1000, 52.5, 13.4), r(1060, 48.1, 11.6)])[1]).toMatchObject({ flag: 'teleport', atS: 1060, evidence: 'jump of 505.6 km in 60 s between 1000 and 1060' });
    expect(detectAnomalies([])).toEqual([]);
  });
});
