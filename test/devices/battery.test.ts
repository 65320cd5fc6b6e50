import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BATTERY, Tracker, buildFleet, chargeOf, createBatteryState, settleBattery, type DeviceSpec, type TrackerOptions } from '../../devices/index.ts';
import { decodeBinPackage, decodeSensorData } from '../../protocol/index.ts';
import { FakeClock, FakeConnector, FakeRegistrar, RecordingSink, constantRandom } from './fakes.ts';

const [device] = buildFleet({ seed: 'battery', count: 1, uploadPeriodS: 10, motion: 'stationary' }) as [DeviceSpec];
const HOUR = 3_600_000;

let running: Tracker[] = [];
afterEach(async () => {
  await Promise.all(running.map((t) => t.stop()));
  running = [];
});

function rig(options: TrackerOptions, spec: DeviceSpec = device) {
  const clock = new FakeClock();
  const connector = new FakeConnector(clock);
  const events = new RecordingSink();
  const tracker = new Tracker(spec, { clock, random: constantRandom(0.5), connector, registrar: new FakeRegistrar(), events }, options);
  running.push(tracker);
  return { clock, connector, events, tracker };
}

describe('battery', () => {
  it('behavior: drain follows the state: online drains far faster than sleeping', () => {
    const online = createBatteryState(DEFAULT_BATTERY, 1, 0);
    const sleeping = createBatteryState(DEFAULT_BATTERY, 1, 0);
    settleBattery(online, 'online', 10 * HOUR);
    settleBattery(sleeping, 'sleeping', 10 * HOUR);
    expect(1 - chargeOf(online)).toBeGreaterThan(50 * (1 - chargeOf(sleeping)));
  });

  it('behavior: a shorter upload period drains faster (each sample and publish costs charge)', async () => {
    const drainWith = async (uploadPeriodS: number): Promise<number> => {
      const r = rig({ battery: { initialCharge: 1 } }, { ...device, uploadPeriodS });
      r.tracker.start();
      await r.clock.advance(HOUR);
      return 1 - r.tracker.batteryCharge!;
    };
    expect(await drainWith(5)).toBeGreaterThan(1.5 * (await drainWith(60)));
  });

  it('behavior: vbat in readings follows the charge down', async () => {
    const r = rig({ battery: { capacityMah: 20, initialCharge: 0.9, lowCharge: 0.01 } });
    r.tracker.start();
    await r.clock.advance(2 * HOUR);
    const vbats = r.connector.last.published.map((p) => decodeSensorData(decodeBinPackage(p.payload).data).vbat!);
    expect(vbats.length).toBeGreaterThan(500);
    expect(vbats.at(-1)!).toBeLessThan(vbats[0]! - 100);
    expect(vbats.slice(1).every((v, i) => v <= vbats[i]!)).toBe(true);
  });

  it('behavior: low battery → sleeping (uploads stop, link closed), empty → dead', async () => {
    const r = rig({ battery: { capacityMah: 1, initialCharge: 0.1, lowCharge: 0.05, currentMa: { sleeping: 0.01 } } });
    r.tracker.start();
    await r.clock.advance(HOUR);
    expect(r.tracker.state).toBe('sleeping');
    const link = r.connector.last;
    expect(link.ended).toBe(true);
    const count = link.published.length;
    expect(count).toBeGreaterThan(0);
    await r.clock.advance(2 * HOUR);
    expect(r.tracker.state).toBe('sleeping');
    expect(link.published.length).toBe(count);
    await r.clock.advance(2 * HOUR); // under 0.05 mAh left at 0.01 mA: under 5 h asleep
    expect(r.tracker.state).toBe('dead');
    expect(r.tracker.batteryCharge).toBe(0);
    expect(r.events.states.slice(-2)).toEqual(['sleeping', 'dead']);
    await r.tracker.stop();
    expect(r.tracker.state).toBe('stopped');
  });

  it('args: per-device capacity and charge from the spec override the options', () => {
    const r = rig({ battery: { capacityMah: 500, initialCharge: 0.5 } }, { ...device, battery: { initialCharge: 0.25 } });
    expect(r.tracker.batteryCharge).toBe(0.25);
    expect(rig({ battery: false }).tracker.batteryCharge).toBeUndefined();
  });

  it('error: bad battery options name the option', () => {
    expect(() => rig({ battery: { capacityMah: 0 } })).toThrow('option `tracker.battery.capacityMah`: expected a positive number of mAh, got 0');
    expect(() => rig({ battery: { initialCharge: [0.9, 0.1] } })).toThrow(
      'option `tracker.battery.initialCharge`: expected a fraction in (0, 1] or a range [min, max] of them, got [0.9,0.1]',
    );
  });
});
