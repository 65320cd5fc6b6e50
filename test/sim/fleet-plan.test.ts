import { describe, expect, it } from 'vitest';
import { planFleet } from '../../sim/fleet/fleet-plan.ts';
import { parseScenario } from '../../scenarios/index.ts';

const base = { name: 'plan', seed: 5, epochs: { lengthS: 60, count: 1 }, circuit: { batchSize: 4, readingsPerDevice: 8 } };
const plan = (fleet: unknown[]) => planFleet(parseScenario({ ...base, fleet }, 'plan.yaml'), { scenarioDir: 'test/devices/fixtures', startMs: 0 });

describe('fleet plan', () => {
  it('behavior: groups keep consecutive indices and their profile labels', () => {
    const { devices } = plan([{ count: 2, motion: 'walk' }, { count: 1, motion: 'car', faults: ['flaky-network'] }, { count: 1, adversary: 'emulator' }]);
    expect(devices.map((d) => [d.spec.index, d.profile])).toEqual([
      [0, 'walk'],
      [1, 'walk'],
      [2, 'car + flaky-network'],
      [3, 'car · emulator'],
    ]);
  });

  it('behavior: a sybil device brings clones that share its key under new ids', () => {
    const { devices } = plan([{ count: 1 }, { count: 1, adversary: { name: 'sybil', clones: 2 } }, { count: 1 }]);
    const sybils = devices.filter((d) => d.adversary === 'sybil');
    expect(sybils).toHaveLength(3);
    expect(new Set(sybils.map((d) => Buffer.from(d.spec.publicKey).toString('hex'))).size).toBe(1);
    expect(new Set(devices.map((d) => d.spec.id)).size).toBe(devices.length);
    expect(new Set(devices.map((d) => d.spec.index)).size).toBe(devices.length);
  });

  it('behavior: a route file is resolved beside the scenario and given as motion', () => {
    const { devices } = plan([{ count: 1, motion: 'walk', route: 'mitte.gpx' }]);
    expect(devices[0]!.behaviour.motion).toBeDefined();
  });

  it('error: a route file that does not parse names the file and the problem', () => {
    expect(() => plan([{ count: 1, route: 'no-lat.gpx' }])).toThrow(/no-lat\.gpx: line \d+: .*lat/);
  });

  it('error: a missing route file names the file', () => {
    expect(() => plan([{ count: 1, route: 'nowhere.gpx' }])).toThrow(/nowhere\.gpx/);
  });

  it('behavior: the same scenario gives the same plan', () => {
    const a = plan([{ count: 3, motion: 'bike' }]);
    const b = plan([{ count: 3, motion: 'bike' }]);
    expect(a.devices.map((d) => d.spec.id)).toEqual(b.devices.map((d) => d.spec.id));
  });
});
