import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPinbenchError } from '../../core/errors.ts';
import { silentLogger } from '../../core/ports.ts';
import { buildFleet } from '../../devices/index.ts';
import { DEFAULT_TOPIC_TEMPLATES } from '../../protocol/topics.ts';
import { parseScenario } from '../../scenarios/index.ts';
import { CAPTURE_FORMAT_VERSION } from '../../sim/capture/capture-format.ts';
import { CaptureWriter } from '../../sim/capture/capture-writer.ts';
import { openCapture } from '../../sim/capture/capture-reader.ts';
import { openReplays, recordedCodecOf } from '../../sim/replay/replay-entries.ts';
import { replayScenarioOf } from '../../sim/replay/replay-scenario.ts';

const START_S = 1_767_225_600;
const fleet = buildFleet({ seed: 5, count: 2, uploadPeriodS: 10 });

/** A capture whose recording scenario had `codec` (or, undefined, a capture from before the setting). */
function writeCapture(codec: string | undefined): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pinbench-replay-codec-')), 'capture.db');
  const devices = fleet.map((s) => ({ deviceId: s.id, publicKey: s.publicKey, curve: s.curve, owner: s.ownerAddress, uploadPeriodS: s.uploadPeriodS }));
  const w = new CaptureWriter(
    path,
    {
      formatVersion: CAPTURE_FORMAT_VERSION, scenarioName: 'unit', seed: 5,
      scenario: { name: 'unit', seed: 5, ...(codec === undefined ? {} : { codec }) },
      topics: DEFAULT_TOPIC_TEMPLATES, maxClockSkewS: 300, timeMode: 'accelerated', fleetSize: fleet.length, recordedAt: '2026-01-01T00:00:00.000Z',
    },
    (id) => devices.find((d) => d.deviceId === id),
    silentLogger,
  );
  w.describeCalendar({ startS: START_S, lengthS: 60, count: 2 });
  for (const d of devices) w.append({ deviceId: d.deviceId, clientId: d.deviceId, topic: `device/${d.deviceId}/data`, payload: new TextEncoder().encode('{}'), backendMs: START_S * 1000, wallMs: 0 });
  w.finish();
  w.close();
  return path;
}

const replaying = (capture: string, codec?: string) =>
  parseScenario({ name: 'replaying', fleet: [{ replay: capture }], epochs: { lengthS: 60, count: 2 }, time: { mode: 'accelerated' }, ...(codec ? { codec } : {}) }, 'replaying.yaml');

describe('replay and the payload codec', () => {
  it('behavior: a capture of a json run replays in a json run; pinbench replay keeps the recording run\'s codec', () => {
    const path = writeCapture('json');
    const setup = openReplays({ scenario: replaying(path, 'json'), scenarioDir: '/', source: 'replaying.yaml', logger: silentLogger });
    expect(setup?.deviceCount).toBe(2);
    setup?.close();
    const capture = openCapture(path);
    try {
      expect(recordedCodecOf(capture)).toBe('json');
      expect(parseScenario(replayScenarioOf(capture, 'max'), 'replay').codec).toBe('json');
    } finally {
      capture.close();
    }
  });

  it('behavior: a capture made before the setting holds pebble-v2', () => {
    const capture = openCapture(writeCapture(undefined));
    try {
      expect(recordedCodecOf(capture)).toBe('pebble-v2');
      expect(parseScenario(replayScenarioOf(capture, 'max'), 'replay').codec).toBe('pebble-v2');
    } finally {
      capture.close();
    }
  });

  it('error: a replay entry whose capture is in another codec than the run\'s ingest is refused, naming both', () => {
    const path = writeCapture('json');
    let caught: unknown;
    try {
      openReplays({ scenario: replaying(path), scenarioDir: '/', source: 'replaying.yaml', logger: silentLogger });
    } catch (error) {
      caught = error;
    }
    expect(isPinbenchError(caught, 'SCENARIO_INVALID')).toBe(true);
    expect((caught as Error).message).toBe(
      `replaying.yaml: option \`fleet[0].replay\`: ${path} holds readings in codec json and this run's ingest reads pebble-v2: every replayed reading would be rejected as undecodable; set codec: json (a replay sends the recorded bytes unchanged)`,
    );
  });
});
