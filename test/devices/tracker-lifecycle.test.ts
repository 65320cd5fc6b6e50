import { afterEach, describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { Tracker, buildFleet, type DeviceSpec, type TrackerBehaviour, type TrackerOptions } from '../../devices/index.ts';
import { DataChannel, RegistrationStatus, confirmDigest, decodeBinPackage, decodeConfirmPackage, decodeSensorData, encodeSensorConfig, encodeStatusPackage, ownerBytes, type SensorConfig } from '../../protocol/index.ts';
import { FakeClock, FakeConnector, FakeRegistrar, RecordingSink, constantRandom, flush } from './fakes.ts';

const [device] = buildFleet({ seed: 'lifecycle', count: 1, uploadPeriodS: 10, motion: 'walk' }) as [DeviceSpec];
const BACKOFF = { initialMs: 1_000, maxMs: 8_000, multiplier: 2, jitter: 0.5 };

class LifecycleSink extends RecordingSink {
  dropped = 0;
  readonly firmware: string[] = [];
  readonly configs: SensorConfig[] = [];
  readonly rejected: string[] = [];
  bufferDropped(_id: string, count: number): void {
    this.dropped += count;
  }
  firmwareUpdated(_id: string, version: string): void {
    this.firmware.push(version);
  }
  configApplied(_id: string, config: SensorConfig): void {
    this.configs.push(config);
  }
  downlinkRejected(_id: string, _topic: string, reason: string): void {
    this.rejected.push(reason);
  }
}

let running: Tracker[] = [];
afterEach(async () => {
  await Promise.all(running.map((t) => t.stop()));
  running = [];
});

function rig(options: TrackerOptions = {}, behaviour?: TrackerBehaviour) {
  const clock = new FakeClock();
  const connector = new FakeConnector(clock);
  const registrar = new FakeRegistrar();
  const events = new LifecycleSink();
  const tracker = new Tracker(
    device,
    { clock, random: constantRandom(0.5), connector, registrar, events, ...(behaviour ? { behaviour } : {}) },
    { backoff: BACKOFF, battery: false, ...options },
  );
  running.push(tracker);
  return { clock, connector, registrar, events, tracker };
}

async function online(r: ReturnType<typeof rig>): Promise<void> {
  r.tracker.start();
  await r.clock.advance(3_000);
  expect(r.tracker.state).toBe('online');
}

const stamps = (payloads: Array<{ payload: Uint8Array }>): number[] => payloads.map((p) => decodeBinPackage(p.payload).timestamp);
const status = (r: ReturnType<typeof rig>, body: Parameters<typeof encodeStatusPackage>[0]): void =>
  r.connector.last.deliver(`backend/${device.id}/status`, encodeStatusPackage(body));

describe('Tracker: buffering and bulk upload', () => {
  it('behavior: offline it keeps sampling into a bounded buffer, dropping the oldest and counting the drops', async () => {
    const r = rig({ bufferCapacity: 5 });
    await online(r);
    r.connector.failing = true;
    r.connector.last.drop();
    await r.clock.advance(120_000);
    expect(r.tracker.state).toBe('buffering');
    expect(r.tracker.bufferedReadings).toBe(5);
    expect(r.events.dropped).toBe(12 - 5); // one reading per 10 s for 120 s
  });

  it('behavior: after reconnecting it uploads the backlog oldest first in bursts, then resumes live uploads', async () => {
    const r = rig({ bulkUpload: { burstSize: 3, pauseMs: 2_000 } });
    await online(r);
    r.connector.failing = true;
    r.connector.last.drop();
    await r.clock.advance(70_000);
    const backlog = r.tracker.bufferedReadings;
    expect(backlog).toBe(7);
    r.connector.failing = false;
    const before = r.connector.links.length;
    while (r.tracker.state !== 'online') await r.clock.advance(100);
    const link = r.connector.last;
    expect(r.connector.links.length).toBe(before + 1);
    expect(link.published.length).toBe(3); // first burst at once
    await r.clock.advance(2_000);
    expect(link.published.length).toBe(6);
    await r.clock.advance(2_000);
    expect(link.published.length).toBeGreaterThanOrEqual(7);
    expect(r.tracker.bufferedReadings).toBe(0);
    await r.clock.advance(30_000);
    const all = stamps(link.published);
    expect(all.length).toBeGreaterThanOrEqual(backlog + 3);
    expect([...all].sort((a, b) => a - b)).toEqual(all); // oldest first, live after the backlog
    expect(all.slice(1).every((t, i) => t > all[i]!)).toBe(true);
    expect(r.events.publishedEvents.length).toBe(r.connector.links.reduce((n, l) => n + l.published.length, 0));
  });

  it('behavior: with bulk upload off (config downlink) offline readings are dropped and counted', async () => {
    const r = rig();
    await online(r);
    r.connector.last.deliver(`backend/${device.id}/config`, encodeSensorConfig({ bulkUpload: 0 }));
    r.connector.failing = true;
    r.connector.last.drop();
    await r.clock.advance(50_000);
    expect(r.tracker.bufferedReadings).toBe(0);
    expect(r.events.dropped).toBe(5);
  });
});

describe('Tracker: downlinks', () => {
  it('behavior: a SensorConfig changes the upload period and masks the fields sent', async () => {
    const r = rig();
    await online(r);
    await r.clock.advance(20_000);
    const link = r.connector.last;
    const n = link.published.length;
    link.deliver(`backend/${device.id}/config`, encodeSensorConfig({ uploadPeriod: 5, dataChannel: DataChannel.GPS | DataChannel.VBAT }));
    expect(r.events.configs).toEqual([{ uploadPeriod: 5, dataChannel: DataChannel.GPS | DataChannel.VBAT }]);
    await r.clock.advance(30_000);
    const after = link.published.slice(n);
    expect(after.length).toBe(6);
    const ts = stamps(after);
    expect(ts.slice(1).map((t, i) => t - ts[i]!)).toEqual([5, 5, 5, 5, 5]);
    const data = decodeSensorData(decodeBinPackage(after[0]!.payload).data);
    expect(data.latitude).toBeTypeOf('number');
    expect(data.vbat).toBeTypeOf('number');
    expect(data.random).toMatch(/^[0-9A-F]{16}$/);
    expect([data.snr, data.temperature, data.pressure, data.humidity, data.light, data.gasResistance, data.temperature2]).toEqual(Array(7).fill(undefined));
    expect(data.gyroscope).toEqual([]);
    expect(data.accelerometer).toEqual([]);
  });

  it('error: a downlink that does not decode is reported and ignored', async () => {
    const r = rig();
    await online(r);
    r.connector.last.deliver(`backend/${device.id}/config`, Uint8Array.of(0x18, 0x00)); // uploadPeriod 0
    r.connector.last.deliver(`backend/${device.id}/status`, new TextEncoder().encode('{"status": 9}'));
    expect(r.events.rejected).toEqual([
      'cannot decode SensorConfig: field 3 (uploadPeriod) is 0; an upload period must be at least 1 second; drop the payload and check that the sender speaks the Pebble Tracker v2 format',
      'cannot decode StatusPackage: status must be one of 0, 1, 2, 3, got 9; drop the payload and check that the sender speaks the Pebble Tracker v2 format',
    ]);
    expect(r.tracker.state).toBe('online');
  });

  it('behavior: a firmware offer moves an online device to updating, then it reboots into the new version', async () => {
    const r = rig({ firmwareDownloadBytesPerS: 10_000 });
    await online(r);
    status(r, { status: RegistrationStatus.REGISTERED, version: '1.0.0', size: 1 }); // not newer: ignored
    expect(r.tracker.state).toBe('online');
    const link = r.connector.last;
    status(r, { status: RegistrationStatus.REGISTERED, firmware: 'pebble', version: '1.2.0', size: 50_000 });
    expect(r.tracker.state).toBe('updating');
    expect(link.ended).toBe(true);
    await r.clock.advance(4_999);
    expect(r.tracker.state).toBe('updating');
    await r.clock.advance(1);
    expect(r.tracker.state).toBe('booting');
    expect(r.tracker.firmwareVersion).toBe('1.2.0');
    expect(r.events.firmware).toEqual(['1.2.0']);
    await r.clock.advance(3_000);
    expect(r.tracker.state).toBe('online');
    expect(r.events.states.slice(-4)).toEqual(['updating', 'booting', 'connecting', 'online']);
    expect(r.registrar.registered).toEqual([device.id]); // a reboot does not register again
  });
});

describe('Tracker: registration by ConfirmPackage', () => {
  it('behavior: connects, signs a ConfirmPackage for the proposed owner, and goes online when registered', async () => {
    const r = rig({ registration: 'confirm' });
    r.tracker.start();
    await r.clock.advance(3_000);
    expect(r.events.states).toEqual(['booting', 'connecting', 'registering']);
    const link = r.connector.last;
    expect(link.subscriptions).toEqual([`backend/${device.id}/#`]);
    // Once subscribed it asks, as the firmware does: a backend on a team's broker sees no subscriptions.
    expect(link.published.map((p) => [p.topic, p.payload.length])).toEqual([[`device/${device.id}/query`, 0]]);
    status(r, { status: RegistrationStatus.PROPOSED, proposer: device.ownerAddress });
    await flush();
    expect(link.published.map((p) => [p.topic, p.qos])).toEqual([[`device/${device.id}/query`, 1], [`device/${device.id}/confirm`, 1]]);
    const confirm = decodeConfirmPackage(link.published[1]!.payload);
    expect(confirm.owner).toEqual(ownerBytes(device.ownerAddress));
    expect(confirm.timestamp).toBe(Math.floor(r.clock.nowMs() / 1000));
    expect(confirm.channel).toBe(0x17f7);
    expect(p256.verify(confirm.signature, confirmDigest(confirm.owner, confirm.timestamp), device.publicKey)).toBe(true);
    status(r, { status: RegistrationStatus.REGISTERED });
    expect(r.tracker.state).toBe('online');
    expect(r.registrar.registered).toEqual([]);
    await r.clock.advance(20_000);
    expect(link.published.filter((p) => p.topic === `device/${device.id}/data`).length).toBe(2);
  });

  it('behavior: a refusal or silence fails registration into backoff, and the device tries again', async () => {
    const r = rig({ registration: 'confirm', registrationTimeoutMs: 10_000 });
    r.tracker.start();
    await r.clock.advance(3_000);
    status(r, { status: RegistrationStatus.REFUSED, reason: 'unknown device' });
    expect(r.tracker.state).toBe('backoff');
    expect(r.connector.last.ended).toBe(true);
    await r.clock.advance(1_000);
    expect(r.tracker.state).toBe('registering');
    await r.clock.advance(10_000);
    expect(r.events.registrationFailures).toEqual(['unknown device', 'no registration status within 10000 ms']);
    expect(r.tracker.state).toBe('backoff');
  });
});

describe('Tracker: behaviour hook', () => {
  it('behavior: onUpload can publish nothing, the honest package, or several messages, each reported after PUBACK', async () => {
    let plan: 'none' | 'one' | 'three' = 'none';
    const seen: number[] = [];
    const r = rig({}, {
      onUpload(honest, ctx) {
        seen.push(ctx.nowMs);
        expect(ctx.deviceId).toBe(device.id);
        if (plan === 'none') return [];
        if (plan === 'one') return [honest];
        return [honest, { ...honest, note: 'replay' }, { topic: 'device/other/data', payload: honest.payload, timestampS: honest.timestampS, note: 'wrong topic' }];
      },
    });
    await online(r);
    const link = r.connector.last;
    await r.clock.advance(10_000);
    expect(link.published).toEqual([]);
    plan = 'one';
    await r.clock.advance(10_000);
    expect(link.published.length).toBe(1);
    plan = 'three';
    await r.clock.advance(10_000);
    expect(link.published.map((p) => p.topic)).toEqual([`device/${device.id}/data`, `device/${device.id}/data`, `device/${device.id}/data`, 'device/other/data']);
    expect(link.published.every((p) => p.qos === 1)).toBe(true);
    expect(r.events.publishedEvents.map((e) => e.topic)).toEqual(link.published.map((p) => p.topic));
    expect(seen.length).toBe(3);
  });

  it('behavior: clockOffsetMs skews the stamped time; uploadRateFactor multiplies the upload rate', async () => {
    const r = rig({}, { clockOffsetMs: () => -3_600_000, uploadRateFactor: 2 });
    await online(r);
    await r.clock.advance(30_000);
    const link = r.connector.last;
    expect(link.published.length).toBe(6);
    for (const p of link.published) {
      const stampedS = decodeBinPackage(p.payload).timestamp;
      expect(Math.floor(r.clock.nowMs() / 1000) - stampedS).toBeGreaterThanOrEqual(3_600);
      expect(Math.floor(r.clock.nowMs() / 1000) - stampedS).toBeLessThanOrEqual(3_630);
    }
  });

  it('behavior: outageMs forces a disconnect for that long; the device buffers and reconnects after it', async () => {
    let outages = 0;
    const r = rig({}, { outageMs: () => (outages++ === 1 ? 25_000 : undefined) });
    await online(r);
    await r.clock.advance(20_000);
    expect(r.tracker.state).toBe('buffering');
    const lostAt = r.events.transitions.find((t) => t.to === 'buffering')!.atMs;
    expect(r.connector.links[0]!.ended).toBe(true);
    const links = r.connector.links.length;
    await r.clock.advance(20_000);
    expect(r.connector.links.length).toBe(links); // connects fail during the outage
    await r.clock.advance(20_000);
    expect(r.tracker.state).toBe('online');
    const reconnectedAt = r.events.transitions.filter((t) => t.to === 'online').at(-1)!.atMs;
    expect(reconnectedAt - lostAt).toBeGreaterThanOrEqual(25_000);
    expect(r.events.failures).toEqual([]);
  });
});
