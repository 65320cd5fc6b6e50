import { afterEach, describe, expect, it } from 'vitest';
import { Tracker, buildFleet, type DeviceSpec } from '../../devices/index.ts';
import { decodeBinPackage } from '../../protocol/index.ts';
import { FakeClock, FakeConnector, FakeRegistrar, RecordingSink, constantRandom } from '../devices/fakes.ts';

/** A tracker under a timeline's interventions, on the devices' test fakes (fake clock, fake MQTT). */

const [device] = buildFleet({ seed: 'timeline', count: 1, uploadPeriodS: 5, motion: 'walk' }) as [DeviceSpec];
const BACKOFF = { initialMs: 1_000, maxMs: 4_000, multiplier: 2, jitter: 0.5 };

function rig() {
  const clock = new FakeClock();
  const connector = new FakeConnector(clock);
  const events = new RecordingSink();
  const tracker = new Tracker(device, { clock, random: constantRandom(0.5), connector, registrar: new FakeRegistrar(), events }, { backoff: BACKOFF, battery: false });
  running.push(tracker);
  return { clock, connector, events, tracker };
}

let running: Tracker[] = [];
afterEach(async () => {
  await Promise.all(running.map((t) => t.stop()));
  running = [];
});

const stampsOf = (events: RecordingSink) => events.publishedEvents.map((e) => decodeBinPackage(e.bytes).timestamp);

describe('tracker interventions', () => {
  it('behavior: dropConnection takes an online device offline; it reconnects by its own backoff on a new link', async () => {
    const r = rig();
    r.tracker.start();
    await r.clock.advance(3_000);
    expect(r.tracker.state).toBe('online');
    expect(r.tracker.dropConnection()).toBe(true);
    await r.clock.advance(0);
    expect(r.tracker.state).toBe('buffering');
    expect(r.connector.links[0]!.closed).toBe(true);
    await r.clock.advance(1_000);
    expect(r.tracker.state).toBe('online');
    expect(r.connector.links).toHaveLength(2);
    expect(r.tracker.dropConnection()).toBe(true);
    await r.clock.advance(0);
    expect(r.tracker.dropConnection()).toBe(false);
  });

  it('behavior: cutNetwork fails every connect until the network is back, keeps the readings and uploads them after', async () => {
    const r = rig();
    r.tracker.start();
    await r.clock.advance(3_000);
    const cutAt = r.clock.nowMs();
    expect(r.tracker.cutNetwork(cutAt + 20_000)).toBe(true);
    await r.clock.advance(19_999);
    // Not one connect reached the network while it was cut.
    expect(r.connector.attempts).toHaveLength(1);
    expect(r.tracker.state).toBe('buffering');
    expect(r.tracker.bufferedReadings).toBe(4);
    await r.clock.advance(10_000);
    expect(r.tracker.state).toBe('online');
    const inside = stampsOf(r.events).filter((t) => t * 1000 >= cutAt && t * 1000 < cutAt + 20_000);
    expect(inside).toHaveLength(4);
    expect(r.tracker.bufferedReadings).toBe(0);
  });

  it('behavior: cutPower switches a device off (no readings while off, nothing scheduled); restorePower boots it, registered as it was', async () => {
    const r = rig();
    r.tracker.start();
    await r.clock.advance(3_000);
    expect(r.tracker.cutPower()).toBe(true);
    expect(r.tracker.state).toBe('off');
    const offAt = r.clock.nowMs();
    const published = r.events.publishedEvents.length;
    await r.clock.advance(60_000);
    expect(r.events.publishedEvents.length).toBe(published);
    expect(r.clock.pending).toBe(0);
    expect(r.tracker.cutPower()).toBe(false);
    expect(r.tracker.restorePower()).toBe(true);
    await r.clock.advance(10_000);
    expect(r.tracker.state).toBe('online');
    expect(r.events.states.slice(-3)).toEqual(['booting', 'connecting', 'online']);
    expect(stampsOf(r.events).filter((t) => t * 1000 >= offAt && t * 1000 < offAt + 60_000)).toEqual([]);
    expect(r.events.publishedEvents.length).toBeGreaterThan(published);
    expect(r.tracker.restorePower()).toBe(false);
  });

  it('behavior: restorePower leaves a device the ramp has not started yet off, and cutPower a device that is not awake', () => {
    const r = rig();
    expect(r.tracker.cutPower()).toBe(false);
    expect(r.tracker.restorePower()).toBe(false);
    expect(r.tracker.state).toBe('off');
  });
});
