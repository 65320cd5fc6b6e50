import { afterEach, describe, expect, it } from 'vitest';
import { Tracker, buildFleet, type DeviceSpec, type TrackerBehaviour } from '../../devices/index.ts';
import { decodeBinPackage, decodeSensorData } from '../../protocol/index.ts';
import { createBehaviour } from '../../devices/behaviour-profiles.ts';
import { seededRandom } from '../../devices/random.ts';
import { chargeAtMv, openCircuitMv } from '../../devices/sensors/battery.ts';
import { createBatteryState, DEFAULT_BATTERY, failBattery } from '../../devices/tracker/battery.ts';
import { FakeClock, FakeConnector, FakeRegistrar, RecordingSink, constantRandom } from './fakes.ts';

const [device] = buildFleet({ seed: 'battery-failure', count: 1, uploadPeriodS: 10, motion: 'walk' }) as [DeviceSpec];
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

let running: Tracker[] = [];
afterEach(async () => {
  await Promise.all(running.map((t) => t.stop()));
  running = [];
});

function rig(behaviour?: TrackerBehaviour) {
  const clock = new FakeClock(T0);
  const connector = new FakeConnector(clock);
  const events = new RecordingSink();
  const tracker = new Tracker(
    device,
    { clock, random: constantRandom(0.5), connector, registrar: new FakeRegistrar(), events, ...(behaviour ? { behaviour } : {}) },
    { battery: { initialCharge: 0.5 } },
  );
  running.push(tracker);
  return { clock, connector, events, tracker };
}

const vbats = (r: ReturnType<typeof rig>): number[] =>
  r.connector.last.published.map((p) => decodeSensorData(decodeBinPackage(p.payload).data).vbat!);

describe('battery-failure drives the tracker battery', () => {
  it('args: failBattery drops the open-circuit voltage by dropMv and leaks at the declineMvPerHour rate', () => {
    const battery = createBatteryState(DEFAULT_BATTERY, 0.8, 0);
    const before = openCircuitMv(0.8);
    failBattery(battery, { dropMv: 200, declineMvPerHour: 50 });
    expect(openCircuitMv(battery.mah / 1000)).toBeCloseTo(before - 200, 6);
    expect(battery.leakMa).toBeCloseTo((chargeAtMv(before - 200) - chargeAtMv(before - 250)) * 1000, 6);
    expect(chargeAtMv(openCircuitMv(0.33))).toBeCloseTo(0.33, 9);
  });

  it('behavior: a hard failure sends an online device to sleeping at once, and the leak kills it within hours', async () => {
    const r = rig({ batteryFailure: { atMs: T0 + 60_000, dropMv: 500, declineMvPerHour: 200 } });
    r.tracker.start();
    await r.clock.advance(59_000);
    expect(r.tracker.state).toBe('online');
    await r.clock.advance(2_000);
    expect(r.tracker.state).toBe('sleeping');
    await r.clock.advance(3 * 3_600_000);
    expect(r.tracker.state).toBe('dead');
    expect(r.events.states.slice(-2)).toEqual(['sleeping', 'dead']);
  });

  it('behavior: a mild failure keeps it online, with vbat down by about dropMv from then on', async () => {
    const r = rig({ batteryFailure: { atMs: T0 + 60_000, dropMv: 100, declineMvPerHour: 0 } });
    r.tracker.start();
    await r.clock.advance(120_000);
    expect(r.tracker.state).toBe('online');
    const v = vbats(r);
    const k = v.findIndex((mv, i) => i > 0 && v[i - 1]! - mv > 50);
    expect(k).toBeGreaterThan(0);
    expect(v[k - 1]! - v[k]!).toBeGreaterThan(90);
    expect(v[k - 1]! - v[k]!).toBeLessThan(110);
  });

  it('behavior: the fault in a scenario (createBehaviour) hands the tracker the drawn failure; the device stops before an honest twin', async () => {
    const made = createBehaviour({ spec: device, random: seededRandom(3, 'behaviour', 0), startMs: T0, faults: [{ name: 'battery-failure', afterS: 600, dropMv: 400 }] });
    expect(made.behaviour?.batteryFailure).toEqual({ atMs: T0 + 600_000, dropMv: 400, declineMvPerHour: 200 });
    const faulty = rig(made.behaviour);
    const honest = rig();
    faulty.tracker.start();
    honest.tracker.start();
    await faulty.clock.advance(3_600_000);
    await honest.clock.advance(3_600_000);
    expect(['sleeping', 'dead']).toContain(faulty.tracker.state);
    expect(honest.tracker.state).toBe('online');
  });
});
