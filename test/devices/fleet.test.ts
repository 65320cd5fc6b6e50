import { describe, expect, it } from 'vitest';
import { BERLIN, MOTION_PROFILE_NAMES, buildFleet, buildReading, createSensorModel, createStreetGridMotion, isValidImei, localFrame, seededRandom, type DeviceSpec } from '../../devices/index.ts';
import { createVerifier, decodeBinPackage } from '../../protocol/index.ts';

const payloadOf = (device: DeviceSpec): Uint8Array => {
  const t0 = Date.UTC(2025, 2, 1, 8);
  const random = seededRandom('run', 'device', device.index);
  const source = {
    key: device,
    motion: createStreetGridMotion({ area: device.area, profile: device.motion, start: device.start, startMs: t0, random }),
    sensors: createSensorModel(random, t0),
  };
  return buildReading(source, t0 + 120_000).payload;
};

describe('buildFleet', () => {
  const fleet = buildFleet({ seed: 42, count: 50, uploadPeriodS: 30 });

  it('behavior: the same seed gives an identical fleet and byte-identical signed payloads', () => {
    const again = buildFleet({ seed: 42, count: 50, uploadPeriodS: 30 });
    expect(again).toEqual(fleet);
    for (const [i, device] of fleet.entries()) expect(payloadOf(again[i]!)).toEqual(payloadOf(device));
    const other = buildFleet({ seed: 43, count: 50, uploadPeriodS: 30 });
    expect(other[0]!.id).not.toBe(fleet[0]!.id);
    expect(other[0]!.privateKey).not.toEqual(fleet[0]!.privateKey);
  });

  it('behavior: every device has a valid identity, its own key and a start on a street inside the area', () => {
    const frame = localFrame(BERLIN);
    expect(fleet.map((d) => d.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Set(fleet.map((d) => d.id)).size).toBe(50);
    expect(new Set(fleet.map((d) => d.password)).size).toBe(50);
    for (const device of fleet) {
      expect(isValidImei(device.id)).toBe(true);
      expect(device.curve).toBe('p256');
      expect(device.uploadPeriodS).toBe(30);
      expect(MOTION_PROFILE_NAMES).toContain(device.motion);
      expect(device.password).toMatch(/^[0-9a-f]{32}$/);
      expect(device.start.lat).toBeGreaterThan(BERLIN.minLat);
      expect(device.start.lat).toBeLessThan(BERLIN.maxLat);
      expect(device.start.lon).toBeGreaterThan(BERLIN.minLon);
      expect(device.start.lon).toBeLessThan(BERLIN.maxLon);
      // On a street: one of the local coordinates sits on the 150 m grid (offset by the centred margin).
      const x = frame.toX(device.start.lon);
      const y = frame.toY(device.start.lat);
      const x0 = (frame.widthM - Math.floor((frame.widthM - 60) / 150) * 150) / 2;
      const y0 = (frame.heightM - Math.floor((frame.heightM - 60) / 150) * 150) / 2;
      const onGrid = (v: number, o: number): boolean => Math.abs(((v - o) / 150) - Math.round((v - o) / 150)) < 1e-6;
      expect(onGrid(x, x0) || onGrid(y, y0)).toBe(true);
      const pkg = decodeBinPackage(payloadOf(device));
      expect(createVerifier(device.publicKey).verifyPackage(pkg)).toBe(true);
    }
  });

  it('args: a shard built with firstIndex equals the same slice of the whole fleet', () => {
    expect(buildFleet({ seed: 42, count: 10, uploadPeriodS: 30, firstIndex: 20 })).toEqual(fleet.slice(20, 30));
  });

  it('args: motion, area and curve options are honoured', () => {
    const area = { minLat: 48.85, maxLat: 48.87, minLon: 2.33, maxLon: 2.36 };
    const cars = buildFleet({ seed: 1, count: 20, uploadPeriodS: 5, motion: 'car', area, curve: 'secp256k1' });
    expect(cars.every((d) => d.motion === 'car' && d.curve === 'secp256k1' && d.area.minLat === 48.85)).toBe(true);
    const mix = buildFleet({ seed: 1, count: 300, uploadPeriodS: 5, motion: { walk: 1, stationary: 1 } });
    const walkers = mix.filter((d) => d.motion === 'walk').length;
    expect(walkers).toBeGreaterThan(100);
    expect(walkers).toBeLessThan(200);
    expect(mix.every((d) => d.motion === 'walk' || d.motion === 'stationary')).toBe(true);
  });

  it.each([
    [{ count: -5 }, 'option `count`: expected an integer ≥ 1, got -5; pass the number of devices to simulate'],
    [{ count: 1.5 }, 'option `count`: expected an integer ≥ 1, got 1.5; pass the number of devices to simulate'],
    [{ uploadPeriodS: 0 }, 'option `uploadPeriodS`: expected a positive number of seconds, got 0; Pebbles upload every 10 to 300 s'],
    [{ seed: '' }, 'option `seed`: expected a non-empty string or a non-negative safe integer, got ""; set a scenario seed such as 42'],
    [{ curve: 'ed25519' }, "option `curve`: expected one of 'p256', 'secp256k1', got \"ed25519\"; use 'p256' unless the devices sign with secp256k1"],
    [{ motion: 'plane' }, 'option `motion`: unknown profile "plane"; use one of stationary, walk, bike, car or weights such as { "walk": 3, "car": 1 }'],
    [{ motion: { walk: -1 } }, 'option `motion`: weight of walk must be a finite number ≥ 0, got -1; use one of stationary, walk, bike, car or weights such as { "walk": 3, "car": 1 }'],
    [{ area: { minLat: 52.6, maxLat: 52.5, minLon: 13.2, maxLon: 13.5 } }, 'option `area`: minLat must be below maxLat and minLon below maxLon; give { minLat, maxLat, minLon, maxLon } in degrees'],
    [{ area: { minLat: 52.5, maxLat: 52.5005, minLon: 13.2, maxLon: 13.5 } }, 'option `area`: 20330 m × 56 m is too small for 150 m street blocks; make each side at least 210 m'],
    [{ firstIndex: -1 }, 'option `firstIndex`: expected an integer ≥ 0, got -1; use 0 unless building one shard of a larger fleet'],
  ])('error: %j', (override, message) => {
    let caught: unknown;
    try {
      buildFleet({ seed: 1, count: 1, uploadPeriodS: 10, ...(override as object) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((caught as Error).message.startsWith(message)).toBe(true);
  });
});
