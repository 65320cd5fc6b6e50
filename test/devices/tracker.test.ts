import { afterEach, describe, expect, it } from 'vitest';
import { Tracker, buildFleet, seededRandom, type DeviceSpec, type TrackerOptions } from '../../devices/index.ts';
import { createVerifier, decodeBinPackage, decodeSensorData } from '../../protocol/index.ts';
import { FakeClock, FakeConnector, FakeRegistrar, RecordingSink, constantRandom } from './fakes.ts';

const [device] = buildFleet({ seed: 'tracker', count: 1, uploadPeriodS: 10, motion: 'walk' }) as [DeviceSpec];
const BACKOFF = { initialMs: 1_000, maxMs: 8_000, multiplier: 2, jitter: 0.5 };

function rig(options: TrackerOptions = { backoff: BACKOFF }, random = constantRandom(0.5)) {
  const clock = new FakeClock();
  const connector = new FakeConnector(clock);
  const registrar = new FakeRegistrar();
  const events = new RecordingSink();
  const tracker = new Tracker(device, { clock, random, connector, registrar, events }, options);
  return { clock, connector, registrar, events, tracker };
}

let running: Tracker[] = [];
afterEach(async () => {
  await Promise.all(running.map((t) => t.stop()));
  running = [];
});

async function online(r: ReturnType<typeof rig>): Promise<void> {
  running.push(r.tracker);
  r.tracker.start();
  await r.clock.advance(3_000); // boot takes 1–3 s
  expect(r.tracker.state).toBe('online');
}

describe('Tracker', () => {
  it('behavior: boots, registers, connects with its credentials and subscribes to its backend topics', async () => {
    const r = rig();
    await online(r);
    expect(r.events.states).toEqual(['booting', 'registering', 'connecting', 'online']);
    expect(r.events.transitions[0]!.from).toBe('off');
    expect(r.registrar.registered).toEqual([device.id]);
    expect(r.connector.attempts[0]!.options).toEqual({ clientId: device.id, username: device.id, password: device.password });
    expect(r.connector.last.subscriptions).toEqual([`backend/${device.id}/#`]);
  });

  it('behavior: publishes a signed reading every upload period, QoS 1, on device/<id>/data', async () => {
    const r = rig();
    await online(r);
    const onlineAt = r.clock.nowMs();
    await r.clock.advance(60_000);
    const link = r.connector.last;
    expect(link.published.length).toBe(6);
    const verifier = createVerifier(device.publicKey, device.curve);
    const stamps = link.published.map(({ topic, payload, qos }) => {
      expect(topic).toBe(`device/${device.id}/data`);
      expect(qos).toBe(1);
      const pkg = decodeBinPackage(payload);
      expect(verifier.verifyPackage(pkg)).toBe(true);
      expect(decodeSensorData(pkg.data).random).toMatch(/^[0-9A-F]{16}$/);
      return pkg.timestamp;
    });
    expect(stamps.slice(1).map((s, i) => s - stamps[i]!)).toEqual([10, 10, 10, 10, 10]);
    // Phase 0.5 of the period: the first upload waits for the device's slot, not a fixed delay.
    expect(stamps[0]! * 1000 - onlineAt).toBeLessThanOrEqual(10_000);
    expect(r.events.publishedEvents.map((e) => e.bytes)).toEqual(link.published.map((p) => p.payload));
    expect(r.events.publishedEvents.map((e) => e.timestampS)).toEqual(stamps);
  });

  it('behavior: on connection loss buffers and backs off with growing, jittered, capped delays until a connect succeeds', async () => {
    const r = rig({ backoff: BACKOFF }, seededRandom('jitter', 'tracker', 0));
    await online(r);
    r.connector.failing = true;
    r.connector.last.drop();
    await r.clock.advance(60_000);
    expect(r.tracker.state).toBe('buffering');
    const lostAt = r.events.transitions.find((t) => t.to === 'buffering')!.atMs;
    const times = [lostAt, ...r.connector.attempts.slice(1).map((a) => a.atMs)];
    const delays = times.slice(1).map((t, i) => t - times[i]!);
    expect(delays.length).toBeGreaterThanOrEqual(8);
    delays.forEach((delay, i) => {
      const base = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** i);
      expect(delay).toBeGreaterThanOrEqual(base * (1 - BACKOFF.jitter));
      expect(delay).toBeLessThanOrEqual(base);
      // Equal jitter ≤ 0.5 with multiplier 2: never shorter than the previous delay until the cap.
      if (i > 0 && base < BACKOFF.maxMs) expect(delay).toBeGreaterThanOrEqual(delays[i - 1]!);
    });
    expect(new Set(delays.slice(4)).size).toBeGreaterThan(1); // capped but still jittered
    expect(r.events.failures).toEqual([]);

    r.connector.failing = false;
    await r.clock.advance(BACKOFF.maxMs);
    expect(r.tracker.state).toBe('online');
    expect(r.registrar.registered).toEqual([device.id]); // registered once, not per reconnect
    await r.clock.advance(60_000); // the backlog goes out in bulk first
    const published = r.connector.last.published.length;
    await r.clock.advance(20_000);
    expect(r.connector.last.published.length).toBe(published + 2);

    // Back online resets the backoff: the next loss starts from the initial delay again.
    const before = r.connector.attempts.length;
    r.connector.last.drop();
    await r.clock.advance(BACKOFF.initialMs);
    expect(r.connector.attempts.length).toBe(before + 1);
  });

  it('behavior: stop() powers off cleanly: link ended, timers cancelled, no more publishes', async () => {
    const r = rig();
    await online(r);
    await r.clock.advance(25_000);
    const link = r.connector.last;
    const count = link.published.length;
    await r.tracker.stop();
    expect(r.tracker.state).toBe('stopped');
    expect(link.ended).toBe(true);
    expect(r.clock.pending).toBe(0);
    expect(r.events.transitions.at(-1)).toMatchObject({ from: 'online', to: 'stopped' });
    await r.clock.advance(60_000);
    expect(link.published.length).toBe(count);
    await r.tracker.stop(); // idempotent
    expect(r.events.states.filter((s) => s === 'stopped')).toHaveLength(1);
  });

  it('behavior: stop() while a connect is pending closes the link that arrives late', async () => {
    const r = rig();
    r.connector.hold = true;
    r.tracker.start();
    await r.clock.advance(3_000);
    expect(r.tracker.state).toBe('connecting');
    await r.tracker.stop();
    r.connector.release();
    await r.clock.advance(0);
    expect(r.connector.last.ended).toBe(true);
    expect(r.tracker.state).toBe('stopped');
    expect(r.clock.pending).toBe(0);
  });

  it('behavior: a connect that outlasts connectTimeoutMs fails into buffering (the device is registered), and its late link is closed', async () => {
    const r = rig({ backoff: BACKOFF, connectTimeoutMs: 5_000 });
    running.push(r.tracker);
    r.connector.hold = true;
    r.tracker.start();
    await r.clock.advance(2_000 + 5_000); // boot (2 s with random 0.5), then the timeout
    expect(r.tracker.state).toBe('buffering');
    const late = r.connector.last;
    r.connector.hold = false;
    r.connector.release();
    await r.clock.advance(BACKOFF.initialMs);
    expect(late.ended).toBe(true);
    expect(r.tracker.state).toBe('online');
  });

  it('behavior: a refused registration is reported and retried after a backoff', async () => {
    const r = rig();
    running.push(r.tracker);
    r.registrar.failuresLeft = 2;
    r.tracker.start();
    await r.clock.advance(3_000 + 1_000 + 2_000);
    expect(r.events.registrationFailures).toEqual(['registry transaction reverted', 'registry transaction reverted']);
    expect(r.events.states).toEqual(['booting', 'registering', 'backoff', 'registering', 'backoff', 'registering', 'connecting', 'online']);
  });

  it('behavior: failed publishes are reported with their reason; backend messages are passed on', async () => {
    const r = rig();
    await online(r);
    r.connector.last.failPublishes = true;
    await r.clock.advance(10_000);
    expect(r.events.failures).toEqual([{ deviceId: device.id, reason: 'PUBACK timeout' }]);
    r.connector.last.deliver(`backend/${device.id}/config`, Uint8Array.of(1));
    expect(r.events.messages).toEqual([{ topic: `backend/${device.id}/config`, payload: Uint8Array.of(1) }]);
  });

  it('behavior: the same seed replays byte-identical payloads', async () => {
    const runOnce = async (): Promise<Uint8Array[]> => {
      const r = rig({ backoff: BACKOFF }, seededRandom('replay', 'device', 0));
      await online(r);
      await r.clock.advance(100_000);
      await r.tracker.stop();
      return r.connector.last.published.map((p) => p.payload);
    };
    const first = await runOnce();
    expect(first.length).toBeGreaterThan(5);
    expect(await runOnce()).toEqual(first);
  });

  it('error: start() twice, and invalid options', async () => {
    const r = rig();
    await online(r);
    expect(() => r.tracker.start()).toThrow(
      `device ${device.id}: start() needs a tracker that is off, it is online; create a new Tracker to run the device again`,
    );
    expect(() => rig({ backoff: { jitter: 2 } })).toThrow('option `tracker.backoff.jitter`: expected a fraction in [0, 1], got 2');
    expect(() => rig({ backoff: { initialMs: 5_000, maxMs: 1_000 } })).toThrow('option `tracker.backoff.maxMs`: expected a number ≥ backoff.initialMs (5000), got 1000');
  });
});
