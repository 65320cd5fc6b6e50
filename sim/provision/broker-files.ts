import { createHash, pbkdf2Sync } from 'node:crypto';
import type { TopicLayout } from '../../protocol/topics.ts';
import type { BrokerLogin } from './broker-logins.ts';

/**
 * A salt that follows from the login, so the same scenario and seed write the same files byte
 * for byte. It protects the hash against a precomputed table, not a password a seed derives.
 */
const saltOf = (login: BrokerLogin, bytes: number) => createHash('sha256').update(`pinbench/salt/${login.username}`).digest().subarray(0, bytes);

/**
 * A line of a Mosquitto 2 password file, as `mosquitto_passwd` writes it: `user:$7$101$salt$hash`,
 * PBKDF2-HMAC-SHA512 over 101 iterations with a 12-byte salt and a 64-byte hash, both base64.
 */
export function mosquittoPasswdLine(login: BrokerLogin): string {
  const salt = saltOf(login, 12);
  const hash = pbkdf2Sync(login.password, salt, 101, 64, 'sha512');
  return `${login.username}:$7$101$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * A Mosquitto ACL file that gives each device only its own topics, by pattern (`%u` is the
 * username, which is the device's IMEI), and the backend read on every device's uplinks and
 * write on every device's downlinks.
 */
export function mosquittoAcl(topics: TopicLayout, backendUsername: string): string {
  const forAll = (kind: keyof TopicLayout['templates']) => topics.templates[kind].replace('{id}', '+');
  const asPattern = (kind: keyof TopicLayout['templates']) => topics.templates[kind].replace('{id}', '%u');
  return [
    '# Written by `pinbench provision`: each device publishes its own uplinks and reads its own',
    '# downlinks (%u = username = the device IMEI); the backend reads the uplinks and writes the downlinks.',
    '',
    `user ${backendUsername}`,
    ...(['data', 'confirm', 'query'] as const).map((k) => `topic read ${forAll(k)}`),
    ...(['status', 'config'] as const).map((k) => `topic write ${forAll(k)}`),
    '',
    ...(['data', 'confirm', 'query'] as const).map((k) => `pattern write ${asPattern(k)}`),
    // What the device subscribes to, as it subscribes (`backend/<id>/#` where both downlinks
    // share that prefix): mosquitto checks a subscription against the read rules as a filter.
    ...topics.downlinkFilters('%u').map((filter) => `pattern read ${filter}`),
    '',
  ].join('\n');
}

/**
 * A CSV for EMQX's built-in database import (`user_id,password_hash,salt,is_superuser`), hashed as
 * its default authenticator does: sha256 of salt ‖ password, hex (`password_hash_algorithm:
 * { name: sha256, salt_position: prefix }`).
 */
export function emqxUsersCsv(logins: readonly BrokerLogin[]): string {
  const rows = logins.map((login) => {
    const salt = saltOf(login, 16).toString('hex');
    const hash = createHash('sha256').update(salt + login.password).digest('hex');
    return `${login.username},${hash},${salt},false`;
  });
  return ['user_id,password_hash,salt,is_superuser', ...rows, ''].join('\n');
}
