import { join } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import type { Scenario } from '../../scenarios/index.ts';
import { topicLayout } from '../../protocol/topics.ts';
import type { DeviceDirectory } from '../../backend/directory/device-directory.ts';
import { CAPTURE_FORMAT_VERSION } from './capture-format.ts';
import { CaptureWriter } from './capture-writer.ts';

export const CAPTURE_FILE = 'capture.db';

/**
 * `pinbench run --record`: a capture writer for this run's folder, whose meta holds what a fresh
 * run needs to take the devices back (the scenario, the topic layout; the epoch calendar is
 * added by `describeCalendar` once the epochs begin) and
 * which takes each device's provisioning record from the backend's directory the first time the
 * device is heard, so a real board's record is kept as well as a virtual one's.
 */
export function recordRun(input: {
  runDir: string;
  scenario: Scenario;
  /** Devices the run planned itself. */
  fleetSize: number;
  directory: DeviceDirectory;
  logger: Logger;
}): CaptureWriter {
  const { scenario, directory } = input;
  const path = join(input.runDir, CAPTURE_FILE);
  input.logger.info(`recording every device publish to ${path}`);
  return new CaptureWriter(
    path,
    {
      formatVersion: CAPTURE_FORMAT_VERSION,
      scenarioName: scenario.name,
      seed: scenario.seed,
      scenario: JSON.parse(JSON.stringify(scenario, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>,
      topics: topicLayout(scenario.topics).templates,
      maxClockSkewS: scenario.ingest.maxClockSkewS,
      timeMode: scenario.time.mode,
      fleetSize: input.fleetSize,
      recordedAt: new Date().toISOString(),
    },
    (deviceId) => directory.provisioned(deviceId),
    input.logger,
  );
}
