import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import { PinbenchError } from '../../core/errors.ts';
import type { DeviceCredentials } from './credentials-file.ts';

function readPem(path: string | null, field: string): Buffer | undefined {
  if (path === null) return undefined;
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new PinbenchError('CREDENTIALS_INVALID', `"${field}" of the credentials file: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); keep the PEM files beside <IMEI>.json`, {
      details: { path },
      cause,
    });
  }
}

/**
 * The mqtt.js options that log a device in as its credentials file says: MQTT 3.1.1 (what the
 * firmware speaks), its client id and login, and the CA, certificate and key where it has them.
 * Callers add their own timing and reconnect settings.
 */
export function mqttLoginOptions(credentials: DeviceCredentials): IClientOptions {
  const ca = readPem(credentials.ca, 'ca');
  const cert = readPem(credentials.cert, 'cert');
  const key = readPem(credentials.key, 'key');
  return {
    clientId: credentials.clientId,
    username: credentials.username,
    password: credentials.password,
    protocolVersion: 4,
    clean: true,
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  };
}
