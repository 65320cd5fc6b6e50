import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProvisionArgs, provisionFleet, writeProvisionCertificates, writeProvisionFiles, type ProvisionCommand } from '../../sim/cli/provision-command.ts';
import { emqxUsersCsv, mosquittoPasswdLine } from '../../sim/provision/broker-files.ts';

const run = promisify(execFile);
const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

function requireMosquitto(): string {
  if (MOSQUITTO === undefined || !existsSync('/usr/bin/mosquitto_pub')) {
    throw new Error('this test needs Debian\'s mosquitto broker and clients: apt-get install -y mosquitto mosquitto-clients (.ci/run installs them)');
  }
  return MOSQUITTO;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const listening = async (port: number) => {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true))).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}`);
};

describe('provision: the fleet\'s logins in files Debian\'s mosquitto takes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-provision-'));
  let broker: ChildProcess;
  let port: number;
  let devices: Array<{ username: string; password: string; topics: Record<string, string> }>;
  let backend: { username: string; password: string };

  beforeAll(async () => {
    const bin = requireMosquitto();
    const command = parseProvisionArgs(['scenarios/smoke.yaml', '--format', 'mosquitto,csv,json', '--out', dir]);
    if ('help' in command) throw new Error('unexpected help');
    writeProvisionFiles(command, provisionFleet(command));
    devices = JSON.parse(readFileSync(join(dir, 'devices.json'), 'utf8'));
    backend = JSON.parse(readFileSync(join(dir, 'backend.json'), 'utf8'));
    port = await freePort();
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      // Run as root, mosquitto drops to user `mosquitto`, who could not read the 0600 files: stay the test's user.
      [`user ${userInfo().username}`, `listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${join(dir, 'mosquitto.passwd')}`, `acl_file ${join(dir, 'mosquitto.acl')}`, 'persistence false', ''].join('\n'),
    );
    broker = spawn(bin, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await listening(port);
  });

  afterAll(() => {
    broker?.kill();
  });

  it('behavior: the same scenario and seed write the same files', () => {
    const again = mkdtempSync(join(tmpdir(), 'pinbench-provision-'));
    const repeat: ProvisionCommand = { scenarioFile: 'scenarios/smoke.yaml', formats: ['mosquitto', 'csv', 'json'], outDir: again };
    writeProvisionFiles(repeat, provisionFleet(repeat));
    for (const file of ['mosquitto.passwd', 'mosquitto.acl', 'users.csv', 'devices.json', 'backend.json']) {
      expect(readFileSync(join(again, file), 'utf8'), file).toBe(readFileSync(join(dir, file), 'utf8'));
    }
    expect(devices).toHaveLength(20);
    expect(readFileSync(join(dir, 'mosquitto.passwd'), 'utf8').trim().split('\n')).toHaveLength(21);
  });

  it('behavior: a device logs in and publishes its own data topic, which the backend login reads; another device\'s topic is dropped; a wrong password is refused', async () => {
    const [a, b] = devices as [(typeof devices)[0], (typeof devices)[0]];
    const seen: string[] = [];
    const reader = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'pinbench-backend', username: backend.username, password: backend.password, protocolVersion: 4, reconnectPeriod: 0 });
    reader.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    await reader.subscribeAsync('device/+/data', { qos: 1 });
    const pub = (as: typeof a, topic: string, message: string, password = as.password) =>
      run('mosquitto_pub', ['-V', 'mqttv311', '-h', '127.0.0.1', '-p', String(port), '-i', `nrf-${as.username}`, '-u', as.username, '-P', password, '-t', topic, '-q', '1', '-m', message]);
    await pub(a, a.topics.data!, 'own');
    await pub(a, b.topics.data!, 'foreign');
    await expect(pub(a, a.topics.data!, 'bad', 'wrong')).rejects.toThrow(/not authori[sz]ed|Connection Refused/i);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await reader.endAsync();
    expect(seen).toEqual([`${a.topics.data} own`]);
  });

  it('behavior: the backend login writes a device\'s downlink, which only that device reads', async () => {
    const [a] = devices as [(typeof devices)[0]];
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: a.username, username: a.username, password: a.password, protocolVersion: 4, reconnectPeriod: 0 });
    const got = new Promise<string>((resolve) => device.on('message', (topic, payload) => resolve(`${topic} ${payload.toString()}`)));
    const granted = await device.subscribeAsync(a.topics.status!, { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    const writer = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'pinbench-backend', username: backend.username, password: backend.password, protocolVersion: 4, reconnectPeriod: 0 });
    await writer.publishAsync(a.topics.status!, '{"status":2}', { qos: 1 });
    expect(await got).toBe(`${a.topics.status} {"status":2}`);
    await Promise.all([device.endAsync(), writer.endAsync()]);
  });

  it('behavior: with --tls, mosquitto takes the certificates: a device logs in by its certificate alone (identity as username) and the ACL still holds', async () => {
    const bin = requireMosquitto();
    const tlsDir = mkdtempSync(join(tmpdir(), 'pinbench-provision-tls-'));
    const command = parseProvisionArgs(['scenarios/smoke.yaml', '--out', tlsDir, '--tls', '--host', '127.0.0.1']);
    if ('help' in command) throw new Error('unexpected help');
    const fleet = provisionFleet(command);
    writeProvisionFiles(command, fleet);
    await writeProvisionCertificates(command, fleet, join(tlsDir, 'ca'));
    const tlsPort = await freePort();
    writeFileSync(
      join(tlsDir, 'mosquitto.conf'),
      [
        `user ${userInfo().username}`, `listener ${tlsPort} 127.0.0.1`, `cafile ${join(tlsDir, 'ca.cert.pem')}`, `certfile ${join(tlsDir, 'server.cert.pem')}`,
        `keyfile ${join(tlsDir, 'server.key.pem')}`, 'require_certificate true', 'use_identity_as_username true', 'allow_anonymous false',
        `acl_file ${join(tlsDir, 'mosquitto.acl')}`, 'persistence false', '',
      ].join('\n'),
    );
    const tlsBroker = spawn(bin, ['-c', join(tlsDir, 'mosquitto.conf')], { stdio: 'ignore' });
    try {
      await listening(tlsPort);
      const [a, b] = devices as [(typeof devices)[0], (typeof devices)[0]];
      const certOf = (name: string) => ({ cert: readFileSync(join(tlsDir, 'certs', `${name}.cert.pem`)), key: readFileSync(join(tlsDir, 'certs', `${name}.key.pem`)) });
      const reader = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, { clientId: 'reader', ca: readFileSync(join(tlsDir, 'ca.cert.pem')), ...certOf(backend.username), protocolVersion: 4, reconnectPeriod: 0 });
      const seen: string[] = [];
      reader.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
      await reader.subscribeAsync('device/+/data', { qos: 1 });
      const pub = (topic: string, message: string) =>
        run('mosquitto_pub', ['-V', 'mqttv311', '-h', '127.0.0.1', '-p', String(tlsPort), '--cafile', join(tlsDir, 'ca.cert.pem'), '--cert', join(tlsDir, 'certs', `${a.username}.cert.pem`), '--key', join(tlsDir, 'certs', `${a.username}.key.pem`), '-i', `nrf-${a.username}`, '-t', topic, '-q', '1', '-m', message]);
      await pub(a.topics.data!, 'own');
      await pub(b.topics.data!, 'foreign');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await reader.endAsync();
      expect(seen).toEqual([`${a.topics.data} own`]);
    } finally {
      tlsBroker.kill();
    }
  }, 60_000);

  it('unit: password lines and CSV rows are the documented hashes', () => {
    const line = mosquittoPasswdLine({ username: 'u', password: 'p' });
    expect(line).toMatch(/^u:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    expect(emqxUsersCsv([{ username: 'u', password: 'p' }]).split('\n')[0]).toBe('user_id,password_hash,salt,is_superuser');
  });

  it('error: an unknown format names the choices', () => {
    expect(() => parseProvisionArgs(['s.yaml', '--format', 'hivemq'])).toThrow('option --format: expected mosquitto, csv, json (comma-separated), got "hivemq"');
    expect(() => parseProvisionArgs(['s.yaml', '--host', 'broker.local'])).toThrow('option --host names the server certificate\'s hosts: it needs --tls');
  });
});
