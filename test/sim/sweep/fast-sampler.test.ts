import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrate } from '../../../sim/sweep/calibrate.ts';
import type { Calibration } from '../../../sim/sweep/calibration.ts';
import { fleetProfiles, sampleFleet } from '../../../sim/sweep/fast-sampler.ts';
import { DeviceStreams } from '../../../sim/sweep/seeded-streams.ts';
import { sweepTestScenario } from './sweep-scenario.ts';

/** Every epoch's draws, copied out of the reused arrays. */
function drawAll(c: Calibration, profileOfDevice: Uint16Array, epochs: number, seed: number) {
  const out: Array<{ records: number[]; counted: number[]; steps: number[]; flaggedReadings: number[]; offsets: number[]; cells: number[] }> = [];
  sampleFleet(c, { profileOfDevice, epochs, seed }, (_e, counted, steps, flaggedReadings, offsets, cells, _p, records) => {
    out.push({ records: Array.from(records), counted: Array.from(counted), steps: Array.from(steps), flaggedReadings: Array.from(flaggedReadings), offsets: Array.from(offsets), cells: Array.from(cells) });
  });
  return out;
}

describe('sweep fast sampler: one pooled record per device-epoch, by seed', () => {
  let c: Calibration;

  beforeAll(async () => {
    ({ calibration: c } = await calibrate(sweepTestScenario(), { epochs: 2, resolution: 9, cacheDir: mkdtempSync(join(tmpdir(), 'pinbench-sweep-sampler-')) }));
  });

  it('profiles: a fleet of N keeps the scenario\'s mix, by largest remainder, in profile order', () => {
    expect(Array.from(fleetProfiles(c, 10))).toEqual([0, 0, 0, 1, 1, 2, 3, 4, 4, 5]);
    const big = fleetProfiles(c, 1000);
    expect([0, 1, 2, 3, 4, 5].map((p) => big.filter((x) => x === p).length)).toEqual([300, 200, 100, 100, 200, 100]);
  });

  it('determinism: the same seed gives the same draws (pinned), another seed others', () => {
    const profiles = fleetProfiles(c, 10);
    const a = drawAll(c, profiles, 3, 7);
    expect(drawAll(c, profiles, 3, 7)).toEqual(a);
    expect(a.map((e) => e.records)).toEqual([
      [0, 5, 4, 7, 7, 11, 12, 14, 17, 18],
      [1, 3, 2, 6, 8, 11, 12, 14, 17, 18],
      [2, 5, 2, 7, 8, 11, 13, 14, 14, 19],
    ]);
    expect(drawAll(c, profiles, 3, 8).map((e) => e.records)).not.toEqual(a.map((e) => e.records));
    // A device's stream depends on (seed, device) only: a larger fleet draws the same for its first devices.
    expect(drawAll(c, fleetProfiles(c, 10), 1, 7)[0]!.records[0]).toBe(drawAll(c, new Uint16Array(50), 1, 7)[0]!.records[0]);
  });

  it('draws: each device gets a record of its own profile, with that record\'s values and cells', () => {
    const profiles = fleetProfiles(c, 40);
    const r = c.records;
    for (const e of drawAll(c, profiles, 4, 99)) {
      e.records.forEach((rec, d) => {
        const pool = c.profiles[profiles[d]!]!;
        expect(rec).toBeGreaterThanOrEqual(pool.start);
        expect(rec).toBeLessThan(pool.end);
        expect(e.counted[d]).toBe(r.countedSamples[rec]);
        expect(e.steps[d]).toBe(r.stepUnits[rec]);
        expect(e.flaggedReadings[d]).toBe(r.flaggedReadings[rec]);
        expect(e.cells.slice(e.offsets[d], e.offsets[d + 1])).toEqual(Array.from(r.cells.subarray(r.cellOffsets[rec], r.cellOffsets[rec + 1])));
      });
    }
  });

  it('streams: xoshiro128** draws cover a pool evenly (every record of a 6-record pool within 10 % of 1/6 over 60,000 draws)', () => {
    const streams = new DeviceStreams(1, 3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 20_000; i++) for (let d = 0; d < 3; d++) counts[Math.floor((streams.next(d) / 2 ** 32) * 6)] += 1;
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(1_000);
  });

  it('bad input: an empty fleet, a bad seed, an unknown profile are refused with what to do', () => {
    const none = () => undefined;
    expect(() => sampleFleet(c, { profileOfDevice: new Uint16Array(0), epochs: 1, seed: 1 }, none)).toThrow('profileOfDevice: expected at least one device; build it with fleetProfiles(calibration, devices)');
    expect(() => sampleFleet(c, { profileOfDevice: new Uint16Array(1), epochs: 1, seed: -1 }, none)).toThrow('seed: expected an integer in [0, 4294967295], got -1');
    expect(() => sampleFleet(c, { profileOfDevice: new Uint16Array(1), epochs: 0, seed: 1 }, none)).toThrow('epochs: expected an integer ≥ 1, got 0');
    expect(() => sampleFleet(c, { profileOfDevice: Uint16Array.of(9), epochs: 1, seed: 1 }, none)).toThrow('profileOfDevice: profile index 9 does not exist; the calibration has 6 profiles (0–5)');
    expect(() => fleetProfiles(c, 0)).toThrow('devices: expected an integer ≥ 1, got 0');
  });
});
