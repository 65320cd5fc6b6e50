import { dirname, join } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { TopicLayout } from '../../protocol/topics.ts';
import type { DeviceDirectory } from '../../backend/directory/device-directory.ts';
import type { LocalCa } from '../../backend/pki/local-ca.ts';
import { checkDeviceId, checkOwner, provisioningRecordOf, scenarioDevicePassword, type AttachedDevice } from './attached-device.ts';
import { readFromBook } from './device-book.ts';
import { parseDevicePublicKey } from './public-key.ts';
import { writeDeviceCredentials } from './issue-credentials.ts';

/**
 * The real devices of a run: the scenario's `attached:` list, then those `pinbench device add`
 * provisioned that the command line names (`--attach`, `--wait-for`). Bad keys or owners stop
 * the run before anything starts.
 */
export function collectAttached(input: { scenario: Scenario; scenarioFile: string | undefined; home: string; attach: readonly string[] }): AttachedDevice[] {
  const { scenario } = input;
  const baseDir = input.scenarioFile === undefined ? process.cwd() : dirname(input.scenarioFile);
  const devices = scenario.attached.map((entry, i): AttachedDevice => {
    const key = parseDevicePublicKey(entry.publicKey, { curve: entry.curve, baseDir, what: `attached[${i}].publicKey` });
    return {
      deviceId: entry.id,
      publicKey: key.publicKey,
      curve: key.curve,
      owner: checkOwner(entry.owner, `attached[${i}].owner`),
      password: scenarioDevicePassword(scenario.seed, entry.id),
      uploadPeriodS: entry.uploadPeriodS,
      registration: entry.registration,
      source: 'scenario',
    };
  });
  const listed = new Set(devices.map((d) => d.deviceId));
  for (const id of input.attach) {
    if (listed.has(checkDeviceId(id, '--attach/--wait-for'))) continue;
    devices.push(readFromBook(input.home, id));
    listed.add(id);
  }
  if (devices.length > 0 && scenario.time.mode !== 'realtime') {
    throw new PinbenchError(
      'SCENARIO_INVALID',
      `${scenario.name}: attached devices (${devices.map((d) => d.deviceId).join(', ')}) run in real time only: a real board keeps wall-clock time and cannot follow an accelerated clock; set time.mode: realtime`,
    );
  }
  return devices;
}

/**
 * Provisions the attached devices into the backend's directory, the same call the fleet's
 * virtual devices go through, and puts the `registrar` ones on chain (the `confirm` ones
 * register themselves by the firmware's exchange once they connect).
 */
export function provisionAttached(directory: DeviceDirectory, devices: readonly AttachedDevice[], logger: Logger): Promise<void> {
  for (const device of devices) directory.provision(provisioningRecordOf(device));
  const registering = devices
    .filter((d) => d.registration === 'registrar')
    .map((d) =>
      directory.register(d.deviceId).then(
        (index) => logger.info(`attached device ${d.deviceId} registered on chain (index ${index}), owner ${d.owner}`),
        (error: unknown) => {
          throw new PinbenchError('ATTACHED_REGISTRATION_FAILED', `attached device ${d.deviceId}: registration on chain failed: ${(error as Error).message}`, { cause: error });
        },
      ),
    );
  return Promise.all(registering).then(() => undefined);
}

/** The listener a device is pointed at: mqtts where there is one (the firmware's), else the first. */
export function preferredUrl(urls: readonly string[]): string {
  return urls.find((u) => u.startsWith('mqtts:')) ?? urls.find((u) => u.startsWith('mqtt:')) ?? urls[0]!;
}

/** Writes `<run folder>/attached/<IMEI>.json` (and PEM files) for each attached device, as soon as the listeners are up. */
export async function writeAttachedCredentials(input: {
  runDir: string;
  devices: readonly AttachedDevice[];
  urls: readonly string[];
  topics: TopicLayout;
  ca: LocalCa | undefined;
  logger: Logger;
}): Promise<string | undefined> {
  if (input.devices.length === 0) return undefined;
  const dir = join(input.runDir, 'attached');
  const url = preferredUrl(input.urls);
  for (const device of input.devices) {
    const { path, command } = await writeDeviceCredentials({ dir, device, url, topics: input.topics, ca: input.ca });
    input.logger.info(`attached device ${device.deviceId} (${device.source}): credentials in ${path}\n  ${command.replace(/\n/g, '\n  ')}`);
  }
  return dir;
}

/**
 * Holds the run until every named device is online (logged in on a listener), or fails with
 * WAIT_FOR_TIMEOUT. Says every 5 s who it still waits for.
 */
export async function waitForDevices(input: {
  ids: readonly string[];
  isOnline: (deviceId: string) => boolean;
  timeoutMs: number;
  credentialsDir: string | undefined;
  interrupted: Promise<never>;
  logger: Logger;
  wallNowMs: () => number;
}): Promise<void> {
  const { ids, isOnline, logger } = input;
  if (ids.length === 0) return;
  const t0 = input.wallNowMs();
  logger.info(`waiting up to ${Math.round(input.timeoutMs / 1000)} s for ${ids.join(', ')} to come online; the clock holds until then`);
  let lastSaid = t0;
  const waiting = new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      const missing = ids.filter((id) => !isOnline(id));
      const now = input.wallNowMs();
      if (missing.length === 0) {
        clearInterval(poll);
        logger.info(`all ${ids.length} awaited devices online after ${((now - t0) / 1000).toFixed(1)} s`);
        resolve();
      } else if (now - t0 >= input.timeoutMs) {
        clearInterval(poll);
        const where = input.credentialsDir === undefined ? '' : ` (their credentials are in ${input.credentialsDir})`;
        reject(
          new PinbenchError('WAIT_FOR_TIMEOUT', `${missing.join(', ')} did not come online within ${Math.round(input.timeoutMs / 1000)} s${where}; check the device's URL, login and certificate, or raise --wait-timeout`, {
            details: { missing },
          }),
        );
      } else if (now - lastSaid >= 5000) {
        lastSaid = now;
        logger.info(`still waiting for ${missing.join(', ')}`);
      }
    }, 100);
    input.interrupted.catch(() => clearInterval(poll));
  });
  await Promise.race([waiting, input.interrupted]);
}
