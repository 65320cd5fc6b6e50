import mqtt from 'mqtt';
import { PinbenchError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/ports.ts';
import { loginOptions, type ExternalBrokerLogin } from '../../../backend/broker/broker-client.ts';
import { connectFailureAdvice, connectFailureReason } from '../../../backend/broker/connect-failure.ts';
import { deviceTlsOptions, type BrokerTarget } from '../../mqtt/broker-target.ts';

/**
 * One connection to the team's broker before anything else starts, so what would fail the run
 * — nothing listening, a TLS certificate that names another host or is not from the CA given, a
 * refused login — is one line now rather than after the chain and the circuit are up, or one
 * line per device.
 */
async function probe(url: string, options: mqtt.IClientOptions): Promise<{ reason: string; error: Error } | undefined> {
  try {
    const client = await mqtt.connectAsync(url, { clientId: `pinbench-probe-${process.pid}`, protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 10_000, ...options });
    await client.endAsync(true);
    return undefined;
  } catch (error) {
    if (error instanceof PinbenchError) throw error;
    return { reason: connectFailureReason(error), error: error as Error };
  }
}

function unreachable(who: string, url: string, failure: { reason: string; error: Error }): PinbenchError {
  return new PinbenchError('BROKER_UNREACHABLE', `${who}: ${connectFailureAdvice(failure.reason, url)} [${failure.error.message}]`, { details: { url, reason: failure.reason } });
}

/** The backend's own login (a full run on a team's broker): any failure stops the run. */
export async function probeBackendLogin(login: ExternalBrokerLogin): Promise<void> {
  const failure = await probe(login.url, loginOptions(login));
  if (failure !== undefined) throw unreachable('backend', login.url, failure);
}

/**
 * The first device's login (a fleet-only run): unreachable or TLS stops the run; a refused login
 * only warns, since the broker may know the other devices (each refusal is counted).
 */
export async function probeDeviceLogin(input: { target: BrokerTarget; login: { id: string; password: string } | undefined; logger: Logger }): Promise<void> {
  const { target, login } = input;
  if (login === undefined) return;
  const failure = await probe(target.url, { username: login.id, password: login.password, ...deviceTlsOptions(target, login.id) });
  if (failure === undefined) return;
  if (!failure.reason.startsWith('connack.')) throw unreachable('devices', target.url, failure);
  input.logger.warn(`device ${login.id} was refused by ${target.url} (${failure.reason}): the run goes on and counts each device's refusals; if every device is refused, load the credentials \`pinbench provision\` wrote into the broker`);
}
