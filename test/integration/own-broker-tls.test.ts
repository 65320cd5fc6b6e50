import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runFleetOnly, runScenario } from '../../sim/index.ts';
import { parseProvisionArgs, provisionFleet, writeProvisionCertificates, writeProvisionFiles } from '../../sim/cli/provision-command.ts';
import { testCacheDir } from '../support/cache.ts';
import { freePort, startMosquitto, type RunningMosquitto } from '../support/mosquitto.ts';

const scenario = {
  name: 'own-broker-tls',
  seed: 7,
  fleet: [{ profile: 'pebble', count: 4, motion: 'car', uploadPeriodS: 2 }],
  epochs: { lengthS: 12, count: 1 },
  time: { mode: 'accelerated' },
  circuit: { batchSize: 4, readingsPerDevice: 8 },
};

/** Provisions the scenario into `dir` (with certificates naming `host` when given) and returns the folder. */
async function provision(dir: string, scenarioFile: string, host?: string): Promise<string> {
  const out = join(dir, host === undefined ? 'plain' : `tls-${host}`);
  const command = parseProvisionArgs([scenarioFile, '--format', 'mosquitto', '--out', out, ...(host === undefined ? [] : ['--tls', '--host', host])]);
  if ('help' in command) throw new Error('unexpected help');
  const fleet = provisionFleet(command);
  writeProvisionFiles(command, fleet);
  await writeProvisionCertificates(command, fleet, join(dir, 'ca'));
  return out;
}

/**
 * Debian's mosquitto 2.0.11 is built without WebSocket support, so the ws:// case runs against the
 * aedes library behind the `ws` package's server (neither written here, and not pinbench's
 * embedded broker with its logins and ACL).
 */
async function aedesOverWebSocket(): Promise<{ port: number; close(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const server = createHttpServer();
  const wss = new WebSocketServer({ server, path: '/mqtt' });
  wss.on('connection', (socket) => broker.handle(createWebSocketStream(socket) as never));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("integration: a team's broker over TLS with client certificates, and the lines for a broker that cannot be used", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-own-broker-tls-'));
  const scenarioFile = join(dir, 'own-broker-tls.yaml');
  let tls: RunningMosquitto;
  let wrongName: RunningMosquitto;
  let plain: RunningMosquitto;
  let wsBroker: { port: number; close(): Promise<void> };
  let tlsDir: string;
  let plainDir: string;

  beforeAll(async () => {
    writeFileSync(scenarioFile, stringify(scenario));
    tlsDir = await provision(dir, scenarioFile, '127.0.0.1');
    plainDir = await provision(dir, scenarioFile);
    const tlsOf = (d: string) => ({ cafile: join(d, 'ca.cert.pem'), certfile: join(d, 'server.cert.pem'), keyfile: join(d, 'server.key.pem'), requireCertificate: true });
    const brokerDir = (name: string) => {
      const d = join(dir, name);
      mkdirSync(d, { recursive: true });
      return d;
    };
    tls = await startMosquitto({ dir: brokerDir('tls'), aclFile: join(tlsDir, 'mosquitto.acl'), tls: tlsOf(tlsDir) });
    // The server certificate names 127.0.0.1, ::1 and localhost, not 127.0.0.2.
    wrongName = await startMosquitto({ dir: brokerDir('other'), host: '127.0.0.2', aclFile: join(tlsDir, 'mosquitto.acl'), tls: tlsOf(tlsDir) });
    plain = await startMosquitto({ dir: brokerDir('plain'), passwordFile: join(plainDir, 'mosquitto.passwd'), aclFile: join(plainDir, 'mosquitto.acl') });
    wsBroker = await aedesOverWebSocket();
  });

  afterAll(async () => {
    await Promise.all([tls?.stop(), wrongName?.stop(), plain?.stop(), wsBroker?.close()]);
  });

  it('behavior: over mqtts every device logs in by its client certificate alone (mosquitto takes its CN as the username) and publishes', async () => {
    const result = await runFleetOnly(scenarioFile, {
      outDir: join(dir, 'runs'), broker: `mqtts://127.0.0.1:${tls.port}`, ca: join(tlsDir, 'ca.cert.pem'), clientCerts: join(tlsDir, 'certs'),
    });
    expect(result.failedChecks).toEqual([]);
    expect(result.report.counts.published).toBeGreaterThan(15);
    expect(result.report.broker.refusedConnects).toEqual({});
    expect(result.report.broker.connects).toBe(4);
  }, 60_000);

  it('behavior: over ws:// (MQTT over WebSocket) the devices connect and publish the same', async () => {
    const result = await runFleetOnly(scenarioFile, { outDir: join(dir, 'runs'), broker: `ws://127.0.0.1:${wsBroker.port}/mqtt` });
    expect(result.failedChecks).toEqual([]);
    expect(result.report.counts.published).toBeGreaterThan(15);
    expect(result.report.broker.url).toBe(`ws://127.0.0.1:${wsBroker.port}/mqtt`);
    expect(result.report.broker.connects).toBe(4);
  }, 60_000);

  it("behavior: the whole pipeline over mqtts, the backend logging in by its own client certificate, pays every device", async () => {
    const result = await runScenario(scenarioFile, {
      outDir: join(dir, 'runs'), cacheDir: testCacheDir, broker: `mqtts://127.0.0.1:${tls.port}`, ca: join(tlsDir, 'ca.cert.pem'), clientCerts: join(tlsDir, 'certs'),
    });
    expect(result.failedChecks).toEqual([]);
    expect(result.report.broker.mode).toBe('external');
    expect(result.report.rewards.perDevice.filter((d) => BigInt(d.rewardWei) > 0n)).toHaveLength(4);
  }, 120_000);

  it('error: a certificate that names another host, one from a CA not given, and no listener are one line each, before the fleet starts', async () => {
    const outDir = join(dir, 'runs-bad');
    await expect(runFleetOnly(scenarioFile, { outDir, broker: `mqtts://127.0.0.2:${wrongName.port}`, ca: join(tlsDir, 'ca.cert.pem'), clientCerts: join(tlsDir, 'certs') })).rejects.toThrow(
      `devices: the broker's certificate does not name the host in mqtts://127.0.0.2:${wrongName.port}: connect by a name the certificate carries (its subjectAltName), or issue one that names this host (pinbench provision --tls --host <name>)`,
    );
    await expect(runFleetOnly(scenarioFile, { outDir, broker: `mqtts://127.0.0.1:${tls.port}`, clientCerts: join(tlsDir, 'certs') })).rejects.toThrow(
      `devices: the broker's certificate at mqtts://127.0.0.1:${tls.port} is not issued by the CA given: pass the CA that signed it with --ca <file.pem>`,
    );
    const nobody = await freePort();
    await expect(runFleetOnly(scenarioFile, { outDir, broker: `mqtt://127.0.0.1:${nobody}` })).rejects.toThrow(
      `devices: nothing accepts connections at mqtt://127.0.0.1:${nobody}: start the broker or check the host and port`,
    );
  }, 60_000);

  it("error: a full run whose broker is unreachable or refuses the backend's login stops before the chain starts", async () => {
    const outDir = join(dir, 'runs-backend');
    const nobody = await freePort();
    const unreachable = runScenario(scenarioFile, { outDir, cacheDir: testCacheDir, broker: `mqtt://127.0.0.1:${nobody}` });
    await expect(unreachable).rejects.toMatchObject({ code: 'BROKER_UNREACHABLE' });
    await expect(unreachable).rejects.toThrow(`backend: nothing accepts connections at mqtt://127.0.0.1:${nobody}: start the broker or check the host and port`);
    const backend = JSON.parse(readFileSync(join(plainDir, 'backend.json'), 'utf8'));
    await expect(runScenario(scenarioFile, { outDir, cacheDir: testCacheDir, broker: `mqtt://${backend.username}:wrong@127.0.0.1:${plain.port}` })).rejects.toThrow(
      `backend: the broker at mqtt://127.0.0.1:${plain.port} refused the login (connack.not-authorized): load the credentials \`pinbench provision\` wrote into it, and give the backend's login in the URL (mqtt://user:password@host:port) or by --broker-credentials <dir>/backend.json`,
    );
    // Nothing of the chain was started: no anvil state in either run folder.
    for (const run of readdirSync(outDir)) expect(existsSync(join(outDir, run, 'chain-state.json')), run).toBe(false);
  }, 60_000);
});
