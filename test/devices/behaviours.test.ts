import { describe, expect, it } from 'vitest';
import { decodeBinPackage } from '../../protocol/codec/bin-package.ts';
import { decodeSensorData } from '../../protocol/codec/sensor-data.ts';
import { signedDigest } from '../../protocol/codec/digest.ts';
import { nobleCurves } from '../../devices/crypto/noble-curves.ts';
import { buildFleet } from '../../devices/fleet.ts';
import { PacketArchive } from '../../devices/behaviours/archive.ts';
import type { HonestUpload, PlannedPublish, TrackerBehaviour } from '../../devices/behaviours/hook.ts';
import { faultConfigSchema, adversaryConfigSchema } from '../../devices/behaviours/schemas.ts';
import { makeSybilClones } from '../../devices/behaviours/sybil.ts';
import { ADVERSARY_NAMES, FAULT_NAMES, MOTION_NAMES, createBehaviour, parseMotionName, type DeviceBehaviour } from '../../devices/behaviour-profiles.ts';
import { createStreetGridMotion } from '../../devices/motion/street-grid.ts';
import { createSensorModel } from '../../devices/sensors/sensors.ts';
import { seededRandom } from '../../devices/random.ts';
import { buildReading } from '../../devices/tracker/reading.ts';
import type { DeviceSpec } from '../../devices/spec.ts';

const T0 = Date.UTC(2025, 5, 1, 12);
const fleet = buildFleet({ seed: 'behaviours', count: 4, uploadPeriodS: 60, motion: 'car' });
const spec = fleet[0]!;

/** Honest readings of a device every minute, run through a behaviour's onUpload. */
function run(device: DeviceSpec, made: DeviceBehaviour, minutes: number, seed = 1): { honest: HonestUpload[]; out: PlannedPublish[][] } {
  const random = seededRandom(seed, 'run', device.index);
  const motion = made.motion ?? createStreetGridMotion({ area: device.area, profile: device.motion, start: device.start, startMs: T0, random });
  const sensors = made.sensors ?? createSensorModel(random, T0);
  const source = { key: { curve: device.curve, privateKey: device.privateKey }, motion, sensors };
  const honest: HonestUpload[] = [];
  const out: PlannedPublish[][] = [];
  for (let k = 1; k <= minutes; k++) {
    const reading = buildReading(source, T0 + k * 60_000);
    const upload = { topic: `device/${device.id}/data`, payload: reading.payload, timestampS: reading.timestampS, reading };
    honest.push(upload);
    out.push(made.behaviour?.onUpload ? [...made.behaviour.onUpload(upload, { nowMs: T0 + k * 60_000, random, deviceId: device.id })] : [upload]);
  }
  return { honest, out };
}

const verifies = (payload: Uint8Array, publicKey: Uint8Array): boolean => {
  const pkg = decodeBinPackage(payload);
  return nobleCurves.p256.verify(pkg.signature, signedDigest(pkg.type, pkg.data, pkg.timestamp), publicKey);
};
const make = (options: Partial<Parameters<typeof createBehaviour>[0]>, device = spec): DeviceBehaviour =>
  createBehaviour({ spec: device, random: seededRandom(9, 'behaviour', device.index), startMs: T0, fleet, ...options });

describe('profiles catalogue', () => {
  it('args: the names', () => {
    expect(MOTION_NAMES).toEqual(['stationary', 'walk', 'bike', 'car']);
    expect(FAULT_NAMES).toEqual(['flaky-network', 'clock-skew', 'stuck-sensor', 'noisy-sensor', 'corrupted-packets', 'battery-failure']);
    expect(ADVERSARY_NAMES).toEqual(['gps-spoofing', 'replay', 'forged-signature', 'sybil', 'emulator', 'wrong-topic', 'flooding']);
  });

  it('error: unknown names list the valid ones', () => {
    const codeAndMessage = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        return `${(e as { code: string }).code}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(codeAndMessage(() => make({ faults: ['flaky-netwrok' as never] }))).toBe(
      'PROFILE_INVALID: option `faults[0]`: unknown fault "flaky-netwrok"; valid faults: flaky-network, clock-skew, stuck-sensor, noisy-sensor, corrupted-packets, battery-failure',
    );
    expect(codeAndMessage(() => make({ adversary: 'ddos' as never }))).toBe(
      'PROFILE_INVALID: option `adversary`: unknown adversary "ddos"; valid adversaries: gps-spoofing, replay, forged-signature, sybil, emulator, wrong-topic, flooding',
    );
    expect(codeAndMessage(() => parseMotionName('plane', 'fleet[1].motion'))).toBe(
      'PROFILE_INVALID: option `fleet[1].motion`: unknown motion "plane"; valid motions: stationary, walk, bike, car',
    );
    expect(codeAndMessage(() => make({ faults: [{ name: 'flaky-network', disconnectsPerHour: -1 }] }))).toMatch(
      /^PROFILE_INVALID: option `faults\[0\]\.disconnectsPerHour`: .* \(fault flaky-network\); see the defaults in devices\/behaviours\/schemas\.ts$/,
    );
    expect(codeAndMessage(() => make({ adversary: 'replay' }))).toBe("PROFILE_INVALID: adversary replay needs the fleet's shared PacketArchive; pass `archive`");
  });

  it('args: schemas fill defaults, for embedding in the scenario schema', () => {
    expect(faultConfigSchema.parse({ name: 'flaky-network' })).toEqual({ name: 'flaky-network', disconnectsPerHour: 6, outageS: [5, 60] });
    expect(adversaryConfigSchema.parse({ name: 'flooding' })).toEqual({ name: 'flooding', uploadRateFactor: 20 });
    expect(faultConfigSchema.safeParse({ name: 'clock-skew', offsetS: [10, 5] }).success).toBe(false);
    expect(faultConfigSchema.safeParse({ name: 'clock-skew', bogus: 1 }).success).toBe(false);
  });

  it('behavior: no faults and no adversary change nothing', () => {
    expect(make({})).toEqual({});
    expect(make({ adversary: 'sybil' })).toEqual({});
  });
});

describe('faults', () => {
  it('behavior: flaky-network drops the connection about disconnectsPerHour times an hour, for outageS', () => {
    const { behaviour } = make({ faults: [{ name: 'flaky-network', disconnectsPerHour: 6, outageS: [5, 60] }] });
    const random = seededRandom(1, 'net', 0);
    const outages: number[] = [];
    for (let s = 0; s < 100 * 3600; s += 10) {
      const ms = behaviour!.outageMs!(T0 + s * 1000, random);
      if (ms !== undefined) outages.push(ms);
    }
    expect(outages.length).toBeGreaterThan(500);
    expect(outages.length).toBeLessThan(700);
    expect(Math.min(...outages)).toBeGreaterThanOrEqual(5000);
    expect(Math.max(...outages)).toBeLessThanOrEqual(60_000);
  });

  it('behavior: clock-skew is a constant offset plus drift', () => {
    const { behaviour } = make({ faults: [{ name: 'clock-skew', offsetS: 30, driftPpm: 100 }] });
    expect(behaviour!.clockOffsetMs!(T0)).toBe(30_000);
    expect(behaviour!.clockOffsetMs!(T0 + 10_000_000)).toBe(31_000);
  });

  it('behavior: corrupted-packets flips bytes of about `probability` of the payloads', () => {
    const made = make({ faults: [{ name: 'corrupted-packets', probability: 0.3 }] });
    const { honest, out } = run(spec, made, 300);
    let corrupted = 0;
    out.forEach((publishes, k) => {
      expect(publishes).toHaveLength(1);
      const same = Buffer.from(publishes[0]!.payload).equals(Buffer.from(honest[k]!.payload));
      if (!same) {
        corrupted++;
        expect(publishes[0]!.note).toMatch(/^corrupted-packets: [1-3] byte\(s\) flipped$/);
      }
    });
    expect(corrupted).toBeGreaterThan(60);
    expect(corrupted).toBeLessThan(120);
  });

  it('behavior: stuck-sensor freezes the chosen fields after afterS; noisy-sensor adds noise; battery-failure drops vbat', () => {
    const stuck = run(spec, make({ faults: [{ name: 'stuck-sensor', fields: ['temperature', 'accelerometer'], afterS: 1800 }] }), 120);
    const temps = stuck.honest.map((u) => (u.reading as { data: { temperature: number } }).data.temperature);
    expect(new Set(temps.slice(30)).size).toBe(1);
    expect(new Set(temps.slice(0, 29)).size).toBeGreaterThan(10);

    const spread = (made: DeviceBehaviour): number => {
      const t = run(spec, made, 200).honest.map((u) => (u.reading as { data: { temperature: number } }).data.temperature);
      return Math.sqrt(t.slice(1).reduce((s, v, k) => s + (v - t[k]!) ** 2, 0) / (t.length - 1));
    };
    expect(spread(make({ faults: ['noisy-sensor'] }))).toBeGreaterThan(5 * spread(make({ faults: ['battery-failure'] })));

    const battery = run(spec, make({ faults: [{ name: 'battery-failure', afterS: 3600, dropMv: 500 }] }), 180);
    const vbat = battery.honest.map((u) => (u.reading as { data: { vbat: number } }).data.vbat);
    expect(vbat[58]! - vbat[60]!).toBeGreaterThan(400);
    expect(vbat[179]!).toBeLessThan(vbat[60]!);
  });
});

describe('adversaries', () => {
  it('behavior: gps-spoofing reports teleports and impossible speeds away from the true track', () => {
    const { motion } = make({ adversary: 'gps-spoofing' });
    let maxOffDeg = 0;
    let fastest = 0;
    for (let k = 1; k <= 360; k++) {
      const fix = motion!.sample(T0 + k * 10_000);
      maxOffDeg = Math.max(maxOffDeg, Math.abs(fix.latitude - fix.trueLatitude), Math.abs(fix.longitude - fix.trueLongitude));
      fastest = Math.max(fastest, fix.speedMps);
    }
    expect(maxOffDeg).toBeGreaterThan(0.04); // several km
    expect(fastest).toBeGreaterThan(70);
  });

  it('behavior: replay re-publishes old signed packets, its own and captured ones, beside its honest upload', () => {
    const archive = new PacketArchive();
    const victim = run(fleet[1]!, {}, 60);
    for (const u of victim.honest) archive.record({ deviceId: fleet[1]!.id, topic: u.topic, payload: u.payload, timestampS: u.timestampS });
    const { honest, out } = run(spec, make({ adversary: { name: 'replay', probability: 1, minAgeS: 600 }, archive }), 120);
    const replays = out.flatMap((publishes, k) => {
      expect(publishes[0]!.payload).toEqual(honest[k]!.payload);
      return publishes.slice(1).map((p) => ({ p, nowS: honest[k]!.timestampS }));
    });
    expect(replays.length).toBeGreaterThan(100);
    for (const { p, nowS } of replays) {
      expect(p.timestampS).toBeLessThanOrEqual(nowS - 600);
      expect(p.topic).toBe(`device/${spec.id}/data`);
      expect(verifies(p.payload, spec.publicKey) || verifies(p.payload, fleet[1]!.publicKey)).toBe(true);
    }
    expect(replays.some(({ p }) => verifies(p.payload, fleet[1]!.publicKey))).toBe(true);
    expect(replays.some(({ p }) => verifies(p.payload, spec.publicKey))).toBe(true);
  });

  it('behavior: forged-signature signs the same data with a key that verifies under no device key', () => {
    const { honest, out } = run(spec, make({ adversary: 'forged-signature' }), 10);
    out.forEach((publishes, k) => {
      const forged = decodeBinPackage(publishes[0]!.payload);
      expect(Buffer.from(forged.data).equals(Buffer.from(decodeBinPackage(honest[k]!.payload).data))).toBe(true);
      expect(verifies(publishes[0]!.payload, spec.publicKey)).toBe(false);
      expect(verifies(honest[k]!.payload, spec.publicKey)).toBe(true);
    });
  });

  it('behavior: wrong-topic publishes some uploads on another device of the fleet', () => {
    const { out } = run(spec, make({ adversary: { name: 'wrong-topic', probability: 0.5 } }), 100);
    const topics = new Set(out.map((p) => p[0]!.topic));
    expect(topics.size).toBe(2);
    const other = [...topics].find((t) => t !== `device/${spec.id}/data`)!;
    expect(fleet.slice(1).map((d) => `device/${d.id}/data`)).toContain(other);
  });

  it('behavior: flooding multiplies the upload rate; composition multiplies factors and chains hooks', () => {
    expect(make({ adversary: 'flooding' }).behaviour!.uploadRateFactor).toBe(20);
    const both = make({ faults: ['clock-skew', 'flaky-network', 'corrupted-packets'], adversary: { name: 'flooding', uploadRateFactor: 5 } }).behaviour!;
    expect(both.uploadRateFactor).toBe(5);
    expect(typeof both.clockOffsetMs).toBe('function');
    expect(typeof both.outageMs).toBe('function');
    expect(typeof both.onUpload).toBe('function');
  });

  it('behavior: the emulator reports exact positions and noise-free sensors', () => {
    const made = make({ adversary: 'emulator' });
    for (let k = 1; k <= 100; k++) {
      const fix = made.motion!.sample(T0 + k * 60_000);
      expect(fix.latitude).toBe(fix.trueLatitude);
      const data = made.sensors!.sample(T0 + k * 60_000, fix);
      if (!fix.moving) expect(data.gyroscope).toEqual([0, 0, 0]);
    }
  });

  it('behavior: sybil clones get new ids, owners and passwords but the source key', () => {
    const clones = makeSybilClones(fleet, { seed: 'behaviours', sourceIndex: 2, count: 3 });
    expect(clones.map((c) => c.index)).toEqual([4, 5, 6]);
    const ids = new Set([...fleet, ...clones].map((d) => d.id));
    expect(ids.size).toBe(7);
    for (const c of clones) {
      expect(c.publicKey).toEqual(fleet[2]!.publicKey);
      expect(c.ownerAddress).not.toBe(fleet[2]!.ownerAddress);
      expect(c.password).not.toBe(fleet[2]!.password);
    }
    // Clones agree with what buildFleet would give those indices, except the key.
    const wider = buildFleet({ seed: 'behaviours', count: 7, uploadPeriodS: 60, motion: 'car' });
    expect(clones[0]!.id).toBe(wider[4]!.id);
    expect(clones[0]!.password).toBe(wider[4]!.password);
    expect(() => makeSybilClones(fleet, { seed: 'behaviours', sourceIndex: 9, count: 1 })).toThrow('sybil: no device with index 9 in a fleet of 4; pick the index of an existing device');
  });

  it('behavior: same seed, same behaviour output (determinism)', () => {
    const once = (): string[] =>
      run(spec, make({ faults: ['corrupted-packets', 'noisy-sensor'], adversary: 'forged-signature' }), 50).out.flat().map((p) => Buffer.from(p.payload).toString('hex'));
    expect(once()).toEqual(once());
    const data = decodeSensorData(decodeBinPackage(Buffer.from(once()[0]!, 'hex')).data);
    expect(data.temperature).toBeTypeOf('number');
  });
});

export type { TrackerBehaviour };
