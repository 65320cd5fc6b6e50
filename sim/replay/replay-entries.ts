import { resolve } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { isReplayEntry, type ReplayEntry, type Scenario } from '../../scenarios/index.ts';
import { topicLayout, type TopicLayout } from '../../protocol/topics.ts';
import { DEFAULT_PAYLOAD_CODEC, isPayloadCodecName, type PayloadCodecName } from '../../protocol/codec/payload-codecs.ts';
import { openCapture, type Capture } from '../capture/capture-reader.ts';
import type { CapturedDevice } from '../capture/capture-format.ts';
import { recoverOwnerKeys } from './owner-keys.ts';

/** One `replay:` entry, opened: its capture, the devices it plays, and the capture's own topic layout. */
export interface ReplaySource {
  /** The entry's position in `fleet`, for messages. */
  readonly fleetIndex: number;
  readonly entry: ReplayEntry;
  readonly capture: Capture;
  readonly devices: readonly CapturedDevice[];
  /** How the recording run's topics were laid out: which of its publishes are readings. */
  readonly recordedTopics: TopicLayout;
}

/** What a run with replay entries needs before anything starts. */
export interface ReplaySetup {
  readonly sources: readonly ReplaySource[];
  /** The captures' epoch calendar start, s: the run starts its clock and its epochs there. */
  readonly calendarStartS: number;
  readonly deviceCount: number;
  /** Lower-case owner address → private key, for the owners the bench can sign for. */
  readonly ownerKeys: ReadonlyMap<string, string>;
  /** Lower-case owner addresses with no key here (real boards' owners): their claims are left to them. */
  readonly ownersWithoutKeys: ReadonlySet<string>;
  close(): void;
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

function invalid(source: string, option: string, message: string): PinbenchError {
  return new PinbenchError('SCENARIO_INVALID', `${source}: option \`${option}\`: ${message}`, { details: { source, option } });
}

/**
 * Opens the scenario's replay entries (captures resolve against the scenario's folder) and checks
 * that they can share one run: one epoch calendar start between them and `time.startAt`, picked
 * devices present, no device twice. Settings of the recording run that would change what is paid
 * (epochs, clock skew, reward rule, proof shape) and differ here are warned about, not refused:
 * replaying a capture under another rule is a legitimate experiment. Returns undefined when the
 * scenario has no replay entries.
 */
export function openReplays(input: { scenario: Scenario; scenarioDir: string; source: string; logger: Logger }): ReplaySetup | undefined {
  const { scenario, scenarioDir, source, logger } = input;
  const entries = scenario.fleet.flatMap((entry, fleetIndex) => (isReplayEntry(entry) ? [{ entry, fleetIndex }] : []));
  if (entries.length === 0) return undefined;
  const sources: ReplaySource[] = [];
  const close = () => {
    for (const s of sources) s.capture.close();
  };
  try {
    const seen = new Map<string, number>();
    for (const { entry, fleetIndex } of entries) {
      const capture = openCapture(resolve(scenarioDir, entry.replay));
      sources.push({ fleetIndex, entry, capture, devices: [], recordedTopics: topicLayout(capture.meta.topics) });
      const recordedCodec = recordedCodecOf(capture);
      if (recordedCodec !== scenario.codec) {
        throw invalid(
          source,
          `fleet[${fleetIndex}].replay`,
          `${capture.path} holds readings in codec ${recordedCodec} and this run's ingest reads ${scenario.codec}: every replayed reading would be rejected as undecodable; set codec: ${recordedCodec} (a replay sends the recorded bytes unchanged)`,
        );
      }
      const devices = pickDevices(source, fleetIndex, entry, capture);
      for (const d of devices) {
        const other = seen.get(d.deviceId);
        if (other !== undefined) throw invalid(source, `fleet[${fleetIndex}].replay`, `device ${d.deviceId} is replayed by fleet[${other}] already; pick each device once (\`devices:\`)`);
        seen.set(d.deviceId, fleetIndex);
      }
      sources[sources.length - 1] = { ...sources[sources.length - 1]!, devices };
      if (!capture.meta.complete) {
        logger.warn(`${capture.path}: the recording run stopped before its end (killed or interrupted); replaying the ${capture.publishCount} publishes it holds`);
      }
      warnOfDifferences(scenario, capture, logger);
    }
    const calendarStartS = agreedStart(scenario, source, sources);
    const devices = sources.flatMap((s) => s.devices);
    const keys = new Map<string, string>();
    const withoutKeys = new Set<string>();
    for (const s of sources) {
      const found = recoverOwnerKeys(s.capture.meta.seed, s.capture.meta.fleetSize, s.devices);
      for (const [owner, key] of found.keys) keys.set(owner, key);
      for (const owner of found.withoutKeys) withoutKeys.add(owner);
    }
    for (const owner of keys.keys()) withoutKeys.delete(owner);
    if (withoutKeys.size > 0) {
      logger.info(`${withoutKeys.size} replayed owners are not the bench's (real boards'): their rewards stay accrued for them to claim`);
    }
    return { sources, calendarStartS, deviceCount: devices.length, ownerKeys: keys, ownersWithoutKeys: withoutKeys, close };
  } catch (error) {
    close();
    throw error;
  }
}

/** The payload codec the recording run's devices published in (captures made before the setting: pebble-v2). */
export function recordedCodecOf(capture: Capture): PayloadCodecName {
  const codec = capture.meta.scenario.codec;
  return isPayloadCodecName(codec) ? codec : DEFAULT_PAYLOAD_CODEC;
}

function pickDevices(source: string, fleetIndex: number, entry: ReplayEntry, capture: Capture): CapturedDevice[] {
  if (entry.devices === undefined) return [...capture.devices];
  const byId = new Map(capture.devices.map((d) => [d.deviceId, d]));
  return entry.devices.map((id, i) => {
    const device = byId.get(id);
    if (device === undefined) {
      const held = capture.devices.slice(0, 3).map((d) => d.deviceId).join(', ');
      throw invalid(source, `fleet[${fleetIndex}].devices[${i}]`, `device ${id} is not in ${capture.path} (it holds ${capture.devices.length} devices${held === '' ? '' : `: ${held}${capture.devices.length > 3 ? ', …' : ''}`})`);
    }
    return device;
  });
}

/** One run has one calendar: every capture's, and `time.startAt` when it is given, must agree. */
function agreedStart(scenario: Scenario, source: string, sources: readonly ReplaySource[]): number {
  const first = sources[0]!;
  const startS = first.capture.meta.calendar.startS;
  for (const other of sources.slice(1)) {
    const s = other.capture.meta.calendar.startS;
    if (s !== startS) {
      throw invalid(
        source,
        `fleet[${other.fleetIndex}].replay`,
        `${other.capture.path} starts its epochs at ${iso(s)}, ${first.capture.path} at ${iso(startS)}; a run has one epoch calendar, so replay captures of different starts in separate runs`,
      );
    }
  }
  const startAt = scenario.time.startAt;
  if (startAt !== undefined && Date.parse(startAt) !== startS * 1000) {
    throw invalid(
      source,
      'time.startAt',
      `${startAt} is not the start of the replayed capture's epochs (${iso(startS)}); remove time.startAt (a run with replay entries starts where its captures do) or set it to ${iso(startS)}`,
    );
  }
  return startS;
}

/** What differs from the recording run and would change what is accepted or paid. */
function warnOfDifferences(scenario: Scenario, capture: Capture, logger: Logger): void {
  const recorded = capture.meta.scenario as {
    epochs?: { lengthS?: number; count?: number };
    reward?: Record<string, unknown>;
    circuit?: Record<string, unknown>;
  };
  const now = JSON.parse(JSON.stringify(scenario, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as typeof recorded;
  const differences: string[] = [];
  const { lengthS, count } = capture.meta.calendar;
  if (scenario.epochs.lengthS !== lengthS) differences.push(`epochs of ${scenario.epochs.lengthS} s instead of ${lengthS} s (readings fall into other epochs)`);
  if (scenario.epochs.count < count) differences.push(`${scenario.epochs.count} epochs instead of ${count} (later readings fall outside the run)`);
  if (scenario.ingest.maxClockSkewS < capture.meta.maxClockSkewS) differences.push(`a clock skew limit of ${scenario.ingest.maxClockSkewS} s instead of ${capture.meta.maxClockSkewS} s`);
  for (const section of ['reward', 'circuit'] as const) {
    if (recorded[section] !== undefined && JSON.stringify(recorded[section]) !== JSON.stringify(now[section])) differences.push(`another ${section} section`);
  }
  if (differences.length > 0) {
    logger.warn(`${capture.path}: this run differs from the recording run: ${differences.join('; ')}; what is accepted and paid may differ from the original`);
  }
}
