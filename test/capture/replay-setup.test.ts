import { mkdirSync, mkdtempSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { buildFleet } from '../../devices/index.ts';
import { DEFAULT_TOPIC_TEMPLATES } from '../../protocol/topics.ts';
import { isReplayEntry, parseScenario, type ScenarioInput } from '../../scenarios/index.ts';
import { CAPTURE_FORMAT_VERSION, type CapturedDevice } from '../../sim/capture/capture-format.ts';
import { CaptureWriter } from '../../sim/capture/capture-writer.ts';
import { openCapture } from '../../sim/capture/capture-reader.ts';
import { openReplays } from '../../sim/replay/replay-entries.ts';
import { recoverOwnerKeys } from '../../sim/replay/owner-keys.ts';
import { replaySimTime } from '../../sim/replay/replay-time.ts';
import { replayScenarioOf } from '../../sim/replay/replay-scenario.ts';
import { parseReplayArgs, runReplayCommand, type ReplayCommand } from '../../sim/cli/replay-command.ts';

const SEED = 5;
const START_S = 1_767_225_600; // 2026-01-01T00:00:00Z
const fleet = buildFleet({ seed: SEED, count: 3, uploadPeriodS: 10 });
const asCaptured = (spec: (typeof fleet)[number]): CapturedDevice => ({
  deviceId: spec.id, publicKey: spec.publicKey, curve: spec.curve, owner: spec.ownerAddress, uploadPeriodS: spec.uploadPeriodS,
});
const board: CapturedDevice = { deviceId: '490154203237518', publicKey: new Uint8Array(65).fill(4), curve: 'p256', owner: '0x1111111111111111111111111111111111111111', uploadPeriodS: 30 };

/** A capture of the seeded fleet plus one real board, each with one reading. */
function writeCapture(path: string, options: { startS?: number; complete?: boolean } = {}): string {
  const devices = [...fleet.map(asCaptured), board];
  const w = new CaptureWriter(
    path,
    {
      formatVersion: CAPTURE_FORMAT_VERSION, scenarioName: 'unit', seed: SEED,
      scenario: { name: 'unit', seed: SEED, reward: { unitsPerSample: 1000 }, time: { sliceMs: 1000 } },
      topics: DEFAULT_TOPIC_TEMPLATES, maxClockSkewS: 300, timeMode: 'accelerated', fleetSize: fleet.length, recordedAt: '2026-01-01T00:00:00.000Z',
    },
    (id) => devices.find((d) => d.deviceId === id),
    silentLogger,
  );
  w.describeCalendar({ startS: options.startS ?? START_S, lengthS: 60, count: 2 });
  for (const d of devices) {
    w.append({ deviceId: d.deviceId, clientId: d.deviceId, topic: `device/${d.deviceId}/data`, payload: new Uint8Array(200).fill(7), backendMs: START_S * 1000 + 5000, wallMs: 0 });
  }
  if (options.complete !== false) w.finish();
  w.close();
  return path;
}

const scenario = (fleetEntries: ScenarioInput['fleet'], extra: Partial<ScenarioInput> = {}) =>
  parseScenario({ name: 'replaying', seed: 9, fleet: fleetEntries, epochs: { lengthS: 60, count: 2 }, time: { mode: 'accelerated' }, ...extra }, 'replaying.yaml');

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { info() {}, debug() {}, warn: (m) => void warnings.push(m), warnings };
}

function errorOf(work: () => unknown): { code: string; message: string } {
  try {
    work();
  } catch (error) {
    if (isPinbenchError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('no error');
}

describe('replay entries in a scenario', () => {
  it('behavior: a replay entry sits beside ordinary groups; a bad one names its field', () => {
    const s = scenario([{ replay: 'captures/board.db', devices: [board.deviceId] }, { count: 2 }]);
    expect(s.fleet.map(isReplayEntry)).toEqual([true, false]);
    expect(errorOf(() => scenario([{ replay: 3 } as never])).message).toBe(
      'replaying.yaml: fleet[0].replay: expected the path of a capture (capture.db) written by `pinbench run --record`, got 3',
    );
    expect(errorOf(() => scenario([{ replay: 'a.db', devices: [] }])).message).toMatch(/fleet\[0\]\.devices: expected at least one device id/);
    // A plain group is still judged as a group.
    expect(errorOf(() => scenario([{ count: 0 }])).message).toBe('replaying.yaml: fleet[0].count: expected a positive integer, got 0');
  });

  it('behavior: captures resolve against the scenario folder; the run starts at their calendar; owners of the seeded fleet get keys, a real board\'s does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-replay-setup-'));
    mkdirSync(join(dir, 'captures'));
    writeCapture(join(dir, 'captures', 'board.db'));
    const setup = openReplays({ scenario: scenario([{ replay: 'captures/board.db' }]), scenarioDir: dir, source: 'replaying.yaml', logger: silentLogger })!;
    try {
      expect(setup.calendarStartS).toBe(START_S);
      expect(setup.deviceCount).toBe(4);
      expect([...setup.ownerKeys]).toEqual(fleet.map((s) => [s.ownerAddress.toLowerCase(), s.ownerPrivateKey]));
      expect([...setup.ownersWithoutKeys]).toEqual([board.owner.toLowerCase()]);
    } finally {
      setup.close();
    }
    const picked = openReplays({ scenario: scenario([{ replay: 'captures/board.db', devices: [fleet[1]!.id] }]), scenarioDir: dir, source: 'r.yaml', logger: silentLogger })!;
    expect(picked.sources[0]!.devices.map((d) => d.deviceId)).toEqual([fleet[1]!.id]);
    picked.close();
    expect(openReplays({ scenario: scenario([{ count: 1 }]), scenarioDir: dir, source: 'r.yaml', logger: silentLogger })).toBeUndefined();
  });

  it('error path: one run, one calendar: time.startAt or a second capture that disagrees, a device not in the capture, a device twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-replay-setup-'));
    writeCapture(join(dir, 'a.db'));
    writeCapture(join(dir, 'b.db'), { startS: START_S + 3600 });
    const open = (s: ReturnType<typeof scenario>) => errorOf(() => openReplays({ scenario: s, scenarioDir: dir, source: 'replaying.yaml', logger: silentLogger }));
    expect(open(scenario([{ replay: 'a.db' }], { time: { mode: 'accelerated', startAt: '2026-02-01T00:00:00Z' } }))).toEqual({
      code: 'SCENARIO_INVALID',
      message:
        "replaying.yaml: option `time.startAt`: 2026-02-01T00:00:00Z is not the start of the replayed capture's epochs (2026-01-01T00:00:00Z); remove time.startAt (a run with replay entries starts where its captures do) or set it to 2026-01-01T00:00:00Z",
    });
    expect(open(scenario([{ replay: 'a.db', devices: [fleet[0]!.id] }, { replay: 'b.db', devices: [fleet[1]!.id] }])).message).toBe(
      `replaying.yaml: option \`fleet[1].replay\`: ${join(dir, 'b.db')} starts its epochs at 2026-01-01T01:00:00Z, ${join(dir, 'a.db')} at 2026-01-01T00:00:00Z; a run has one epoch calendar, so replay captures of different starts in separate runs`,
    );
    expect(open(scenario([{ replay: 'a.db', devices: ['350000000000000'] }])).message).toMatch(
      /^replaying\.yaml: option `fleet\[0\]\.devices\[0\]`: device 350000000000000 is not in .*a\.db \(it holds 4 devices: \d+, \d+, \d+, …\)$/,
    );
    expect(open(scenario([{ replay: 'a.db' }, { replay: 'a.db', devices: [board.deviceId] }])).message).toMatch(/device 490154203237518 is replayed by fleet\[0\] already/);
  });

  it('behavior: a capture whose recording run never finished is played with a warning; a truncated one stops everything with one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-replay-setup-'));
    writeCapture(join(dir, 'killed.db'), { complete: false });
    const logger = recordingLogger();
    openReplays({ scenario: scenario([{ replay: 'killed.db' }]), scenarioDir: dir, source: 'r.yaml', logger })!.close();
    expect(logger.warnings[0]).toBe(`${join(dir, 'killed.db')}: the recording run stopped before its end (killed or interrupted); replaying the 4 publishes it holds`);
    const cut = writeCapture(join(dir, 'cut.db'));
    truncateSync(cut, Math.floor(statSync(cut).size / 2));
    expect(errorOf(() => openReplays({ scenario: scenario([{ replay: 'cut.db' }]), scenarioDir: dir, source: 'r.yaml', logger }))).toEqual({
      code: 'CAPTURE_UNREADABLE',
      message: `${cut}: the capture is truncated or damaged (database disk image is malformed); record it again with \`pinbench run --record\``,
    });
  });

  it('behavior: a different epoch length or reward rule than the recording run is warned about, not refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-replay-setup-'));
    writeCapture(join(dir, 'a.db'));
    const logger = recordingLogger();
    openReplays({ scenario: scenario([{ replay: 'a.db' }], { epochs: { lengthS: 30, count: 2 } }), scenarioDir: dir, source: 'r.yaml', logger })!.close();
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/differs from the recording run: epochs of 30 s instead of 60 s \(readings fall into other epochs\); another reward section; what is accepted and paid may differ/);
  });
});

describe('owner keys of a capture', () => {
  it('behavior: found by IMEI among the recording fleet\'s positions and checked against the recorded owner', () => {
    const moved = { ...asCaptured(fleet[2]!), owner: board.owner };
    const { keys, withoutKeys } = recoverOwnerKeys(SEED, fleet.length, [asCaptured(fleet[0]!), moved]);
    expect([...keys]).toEqual([[fleet[0]!.ownerAddress.toLowerCase(), fleet[0]!.ownerPrivateKey]]);
    expect([...withoutKeys]).toEqual([board.owner.toLowerCase()]);
  });
});

describe('replay time', () => {
  it('behavior: accelerated, the discrete clock starts at the capture\'s start', () => {
    const { time } = replaySimTime({ mode: 'accelerated', speed: 'max', sliceMs: 5000 }, START_S * 1000, () => 0);
    expect(time.mode).toBe('accelerated');
    expect(time.clock.nowMs()).toBe(START_S * 1000);
  });

  it('behavior: in real time the clock stands at the start until the fleet starts, then runs at wall speed', () => {
    let wall = 1_000_000;
    const { time, startClock } = replaySimTime({ mode: 'realtime', speed: 'max', sliceMs: 5000 }, START_S * 1000, () => wall);
    wall += 12_000;
    expect(time.clock.nowMs()).toBe(START_S * 1000);
    startClock();
    wall += 2500;
    expect(time.clock.nowMs()).toBe(START_S * 1000 + 2500);
    time.stop();
  });
});

describe('pinbench replay', () => {
  it('behavior: parses a capture, a speed and where to play it', () => {
    expect(parseReplayArgs(['c.db'])).toEqual({ command: 'replay', capture: 'c.db', speed: 'max', outDir: 'runs', quiet: false });
    expect(parseReplayArgs(['c.db', '--speed', '10', '--out', 'o', '--cache', 'k', '--rpc', 'http://127.0.0.1:8545'])).toMatchObject({ speed: 10, outDir: 'o', cacheDir: 'k', rpcUrl: 'http://127.0.0.1:8545' });
    expect(parseReplayArgs(['c.db', '--credentials', 'creds', '--to', 'mqtt://127.0.0.1:1883', '--speed', '1'])).toMatchObject({ credentialsDir: 'creds', to: 'mqtt://127.0.0.1:1883', speed: 1 });
    expect(parseReplayArgs(['--help'])).toHaveProperty('help');
  });

  it('error path: arguments that cannot work are CLI_ARGS_INVALID with the reason', () => {
    expect(errorOf(() => parseReplayArgs([]))).toMatchObject({ code: 'CLI_ARGS_INVALID', message: expect.stringMatching(/give one capture/) });
    expect(errorOf(() => parseReplayArgs(['c.db', '--speed', 'fast'])).message).toBe('option --speed: expected 1 (real time), a positive number such as 10, or max, got "fast"');
    expect(errorOf(() => parseReplayArgs(['c.db', '--to', 'mqtt://h:1'])).message).toMatch(/--to needs --credentials/);
    expect(errorOf(() => parseReplayArgs(['c.db', '--credentials', 'd', '--out', 'o'])).message).toMatch(/option --out is for a replay into a fresh run/);
  });

  it('behavior: the replay scenario keeps the recording run\'s epochs and rule; speed 1 is real time, others accelerated from the capture\'s start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-replay-setup-'));
    const capture = openCapture(writeCapture(join(dir, 'a.db')));
    try {
      const fast = parseScenario(replayScenarioOf(capture, 10), 'x');
      expect(fast).toMatchObject({ name: 'replay-unit', seed: SEED, epochs: { lengthS: 60, count: 2 }, time: { mode: 'accelerated', speed: 10, startAt: '2026-01-01T00:00:00.000Z', sliceMs: 1000 }, fleet: [{ replay: join(dir, 'a.db') }] });
      expect(fast.reward.unitsPerSample).toBe(1000);
      expect(parseScenario(replayScenarioOf(capture, 1), 'x').time.mode).toBe('realtime');
    } finally {
      capture.close();
    }
  });

  it('error path: a truncated capture stops the command before anything starts, with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-replay-setup-'));
    const cut = writeCapture(join(dir, 'a.db'));
    truncateSync(cut, Math.floor(statSync(cut).size / 2));
    const out = join(dir, 'runs');
    await expect(runReplayCommand(parseReplayArgs([cut, '--out', out]) as ReplayCommand, { logger: silentLogger, stdout: () => undefined })).rejects.toMatchObject({
      code: 'CAPTURE_UNREADABLE',
      message: expect.stringMatching(/^.*a\.db: the capture is truncated or damaged \(.*\); record it again with `pinbench run --record`$/),
    });
  });
});
