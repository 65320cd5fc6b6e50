import { afterEach, describe, expect, it } from 'vitest';
import { PacketArchive, Tracker, buildFleet, createBehaviour, seededRandom, type DeviceSpec, type TrackerBehaviour, type TrackerOptions } from '../../devices/index.ts';
import { createVerifier, decodeBinPackage } from '../../protocol/index.ts';
import { binPackageToJson, jsonToBinPackage } from '../../protocol/codec/json-package.ts';
import { FakeClock, FakeConnector, FakeRegistrar, RecordingSink } from './fakes.ts';

const fleet = buildFleet({ seed: 'tracker-codec', count: 2, uploadPeriodS: 10, motion: 'walk' }) as [DeviceSpec, DeviceSpec];
const [device, other] = fleet;

function rig(options: TrackerOptions, behaviour?: TrackerBehaviour) {
  const clock = new FakeClock();
  const connector = new FakeConnector(clock);
  const events = new RecordingSink();
  const tracker = new Tracker(
    device,
    { clock, random: seededRandom('tracker-codec', 'tracker', 0), connector, registrar: new FakeRegistrar(), events, ...(behaviour ? { behaviour } : {}) },
    options,
  );
  return { clock, connector, events, tracker };
}

let running: Tracker[] = [];
afterEach(async () => {
  await Promise.all(running.map((t) => t.stop()));
  running = [];
});

async function publishes(r: ReturnType<typeof rig>, ms = 120_000) {
  running.push(r.tracker);
  r.tracker.start();
  await r.clock.advance(ms);
  return r.connector.last.published;
}

describe('Tracker: payload codec', () => {
  it('behavior: codec json publishes the JSON form of the very packages codec pebble-v2 publishes, and reports the bytes sent', async () => {
    const pebble = await publishes(rig({}));
    const json = rig({ codec: 'json' });
    const sent = await publishes(json);
    expect(pebble.length).toBe(12);
    expect(sent.map((p) => p.topic)).toEqual(pebble.map((p) => p.topic));
    expect(sent.map((p) => Buffer.from(p.payload).toString())).toEqual(pebble.map((p) => Buffer.from(binPackageToJson(p.payload)).toString()));
    // What the bench records (digest, latency) is keyed on these bytes.
    expect(json.events.publishedEvents.map((e) => e.bytes)).toEqual(sent.map((p) => p.payload));
    const verifier = createVerifier(device.publicKey, device.curve);
    for (const p of sent) expect(verifier.verifyPackage(jsonToBinPackage(p.payload))).toBe(true);
  });

  it('args: an unknown codec is refused with the choices', () => {
    expect(() => rig({ codec: 'cbor' as never })).toThrow('option `tracker.codec`: expected one of pebble-v2, json, got "cbor"');
  });

  it('behavior: adversaries work on BinPackage bytes unchanged; a forged signature goes out as JSON that does not verify', async () => {
    const made = createBehaviour({ spec: device, random: seededRandom(1, 'behaviour', 0), fleet, adversary: { name: 'forged-signature', probability: 1 } });
    const sent = await publishes(rig({ codec: 'json' }, made.behaviour));
    const verifier = createVerifier(device.publicKey, device.curve);
    expect(sent.length).toBe(12);
    for (const p of sent) expect(verifier.verifyPackage(jsonToBinPackage(p.payload))).toBe(false);
  });

  it('behavior: a replayer re-sends packets from the archive in JSON form, whether it archived them itself or sniffed them off the wire', async () => {
    const archive = new PacketArchive();
    // What the bench's sniffer records from another device's published event: the JSON it sent.
    const otherPackets = (await publishes(rig({})))
      .map((p) => ({ deviceId: other.id, topic: p.topic, payload: binPackageToJson(p.payload), timestampS: decodeBinPackage(p.payload).timestamp - 3600 }));
    for (const p of otherPackets) archive.record(p);
    const made = createBehaviour({ spec: device, random: seededRandom(1, 'behaviour', 0), fleet, archive, adversary: { name: 'replay', probability: 1, minAgeS: 30 } });
    const sent = await publishes(rig({ codec: 'json' }, made.behaviour), 300_000);
    expect(sent.length).toBeGreaterThan(30);
    const replayedJson = new Set(otherPackets.map((p) => Buffer.from(p.payload).toString()));
    let sniffed = 0;
    for (const p of sent) {
      expect(p.payload[0]).toBe(0x7b); // every publish is JSON
      expect(() => jsonToBinPackage(p.payload)).not.toThrow();
      if (replayedJson.has(Buffer.from(p.payload).toString())) sniffed += 1;
    }
    expect(sniffed).toBeGreaterThan(0);
  });
});
