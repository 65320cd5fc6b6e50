import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveDeviceKey, signReading } from '../../devices/index.ts';
import { createVerifier, encodeBinPackage, encodeSensorData, PackageType } from '../../protocol/index.ts';
import { payloadDigest } from '../../protocol/payload-digest.ts';
import { Ingest, type IngestDevice } from '../../backend/ingest/ingest.ts';
import { NON_MESSAGE_REASONS } from '../../backend/ingest/reasons.ts';
import { RunStore } from '../../backend/store/run-store.ts';
import { createEpochCalendar } from '../../backend/epochs/calendar.ts';
import { pebbleIngestCodec } from '../../backend/ingest/pebble-codec.ts';
import { renderPopulations, renderTakeovers } from '../../reports/markdown.ts';
import type { RunReport } from '../../reports/types.ts';
import { populationsHeadline } from '../../sim/cli/run-result.ts';

// The headline of issue 18: "731 published, 731 accepted" matched only because one fleet reading
// was rejected and one outside reading accepted, and subscribe refusals counted as received.
// Here the same at small scale, through the real ingest and run.db.
const T0 = 1_800_000_000;
const key = deriveDeviceKey('message-populations', 0);
const other = deriveDeviceKey('message-populations', 1);
const ID = '350000000000001';

function reading(timestamp: number, signer = key): Buffer {
  const data = encodeSensorData({ latitude: 525_200_000, longitude: 134_050_000, vbat: 4000 });
  return Buffer.from(encodeBinPackage({ type: PackageType.DATA, data, timestamp, signature: signReading(signer, PackageType.DATA, data, timestamp) }));
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function judged() {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-populations-'));
  dirs.push(dir);
  const store = new RunStore(join(dir, 'run.db'));
  store.addDevices([{ deviceIndex: 1, deviceId: ID, name: 'd1', motion: 'test', owner: '0x0', publicKey: key.publicKey }]);
  const devices = new Map<string, IngestDevice>([[ID, { index: 1, verify: createVerifier(key.publicKey).verify, publicKey: key.publicKey, curve: 'p256' }]]);
  const ingest = new Ingest({
    store, codec: pebbleIngestCodec, devices, calendar: createEpochCalendar(T0, 100, 2), maxClockSkewS: 1000,
    simNowMs: () => (T0 + 50) * 1000, wallNowMs: () => 0, verifyWorkers: 0,
  });
  const topic = `device/${ID}/data`;
  // The fleet: three acknowledged publishes, one of them with a broken signature.
  for (const payload of [reading(T0 + 1), reading(T0 + 2, other), reading(T0 + 3)]) {
    store.addPublished({ deviceIndex: 1, digest: payloadDigest(payload), publishedMs: 0 });
    ingest.handlePublish(ID, topic, payload);
  }
  // Outside the fleet: a mosquitto client with the device's login publishes a good reading.
  ingest.handlePublish(ID, topic, reading(T0 + 4));
  // Two refused subscribes and a connection closed on a wildcard PUBLISH: no readings.
  ingest.reject(ID, 'device/#', Buffer.alloc(0), 'acl.subscribe', 'client');
  ingest.reject(ID, '$SYS/#', Buffer.alloc(0), 'acl.subscribe', 'client');
  ingest.reject(ID, '', Buffer.alloc(0), 'protocol.violation', '# is not allowed in PUBLISH; connection closed');
  await ingest.close();
  const populations = store.messagePopulations(NON_MESSAGE_REASONS);
  store.close();
  const counts: RunReport['counts'] = {
    published: 3, received: ingest.counters.received, accepted: ingest.counters.accepted, rejected: { ...ingest.counters.rejected }, unaccounted: 0,
    ...populations, refusedSubscribes: 2, closedConnections: { 'protocol.violation': 1 }, authFailures: 0, refusedLogins: {},
  };
  return { ingest, populations, counts };
}

describe('the headline keeps the fleet, outside the fleet and refusals apart', () => {
  it('behavior: a refused subscribe or a closed connection is counted by its reason but is no received message', async () => {
    const { ingest } = await judged();
    expect(ingest.counters).toEqual({ received: 4, accepted: 3, rejected: { signature: 1, 'acl.subscribe': 2, 'protocol.violation': 1 } });
  });

  it('behavior: the fleet\'s publishes split by outcome, and the outside reading apart from them', async () => {
    const { populations } = await judged();
    expect(populations).toEqual({ fleet: { accepted: 2, rejected: 1, unaccounted: 0 }, outside: { received: 1, accepted: 1, rejected: 0 } });
  });

  it('behavior: the CLI headline and report.md say so, where the old "3 published, 3 accepted" matched by accident', async () => {
    const { counts } = await judged();
    expect(populationsHeadline(counts)).toBe(
      'fleet 3 published: 2 accepted, 1 rejected; outside the fleet 1 received (1 accepted, 0 rejected); 2 subscribes refused; 1 connection closed on a bad packet',
    );
    expect(renderPopulations(counts)).toEqual([
      '| from | published (acknowledged) | received | accepted | rejected | unaccounted |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      '| the fleet | 3 | | 2 | 1 | 0 |',
      '| outside the fleet (attached boards, other MQTT clients) | | 1 | 1 | 0 | |',
      '',
      'Refused apart from readings: 2 subscribes (`acl.subscribe`), 1 connection closed (`protocol.violation`).',
    ]);
  });

  it('behavior: a report from before the split keeps its old totals', () => {
    const old: RunReport['counts'] = { published: 5, received: 5, accepted: 4, rejected: { replay: 1 }, unaccounted: 0, authFailures: 0, refusedLogins: {} };
    expect(populationsHeadline(old)).toBe('5 published, 4 accepted, 1 rejected');
  });

  it('behavior: report.md lists session takeovers per device and names the flagged ones', () => {
    expect(renderTakeovers({ total: 0, devices: [] })).toEqual([]);
    expect(
      renderTakeovers({ total: 5, devices: [{ deviceId: '350000000000001', count: 4, flagged: true }, { deviceId: '350000000000002', count: 1, flagged: false }] }),
    ).toEqual([
      '',
      "Session takeovers (a second login with a device's client id; the newer connection wins): 5 on 2 devices: 350000000000001 (4), 350000000000002 (1). " +
        "**Flagged** (3 or more within 60 s: two clients share the device's login): 350000000000001 (4).",
    ]);
  });
});
