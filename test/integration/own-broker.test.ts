import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import mqtt from 'mqtt';
import { runFleetOnly, runScenario } from '../../sim/index.ts';
import { parseProvisionArgs, provisionFleet, writeProvisionFiles } from '../../sim/cli/provision-command.ts';
import { testCacheDir } from '../support/cache.ts';
import { runFingerprint } from '../support/fingerprint.ts';
import { startMosquitto, type RunningMosquitto } from '../support/mosquitto.ts';
import { parseExposition } from '../support/prom-text.ts';

// The smoke scenario's fleet in accelerated time, so both brokers see the same simulated clock.
const scenario = {
  name: 'own-broker',
  seed: 42,
  fleet: [
    { profile: 'pebble', count: 6, motion: 'car', uploadPeriodS: 2 },
    { profile: 'pebble', count: 3, motion: 'walk', uploadPeriodS: 2 },
  ],
  epochs: { lengthS: 12, count: 2 },
  time: { mode: 'accelerated' },
  circuit: { batchSize: 4, readingsPerDevice: 8 },
};

/** Rows of run.db the chain was paid by, read from run.db itself. */
function rewardsInDb(runDir: string): Array<{ id: string; epoch: number; units: string }> {
  const db = new Database(join(runDir, 'run.db'), { readonly: true });
  try {
    return db.prepare('SELECT d.device_id AS id, w.epoch AS epoch, w.units AS units FROM rewards w JOIN devices d USING (device_index) ORDER BY id, epoch').all() as never;
  } finally {
    db.close();
  }
}

/** Writes the scenario into `dir` and `pinbench provision`s it (mosquitto's files and backend.json). */
function provisionInto(dir: string, name: string, body: object): { scenarioFile: string; provisionDir: string; backend: { username: string; password: string } } {
  const scenarioFile = join(dir, `${name}.yaml`);
  const provisionDir = join(dir, 'provision');
  writeFileSync(scenarioFile, stringify(body));
  const command = parseProvisionArgs([scenarioFile, '--format', 'mosquitto', '--out', provisionDir]);
  if ('help' in command) throw new Error('unexpected help');
  writeProvisionFiles(command, provisionFleet(command));
  return { scenarioFile, provisionDir, backend: JSON.parse(readFileSync(join(provisionDir, 'backend.json'), 'utf8')) };
}

describe("integration: the fleet and pinbench's backend on Debian's mosquitto", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-own-broker-'));
  const { scenarioFile, provisionDir, backend } = provisionInto(dir, 'own-broker', scenario);
  let mosquitto: RunningMosquitto;

  beforeAll(async () => {
    mosquitto = await startMosquitto({ dir, passwordFile: join(provisionDir, 'mosquitto.passwd'), aclFile: join(provisionDir, 'mosquitto.acl') });
  });

  afterAll(async () => {
    await mosquitto?.stop();
  });

  it('behavior: the same scenario and seed give the same readings and rewards on mosquitto as on the embedded broker, and the chain pays them', async () => {
    const outDir = join(dir, 'runs');
    const embedded = await runScenario(scenarioFile, { outDir, cacheDir: testCacheDir });
    const own = await runScenario(scenarioFile, {
      outDir, cacheDir: testCacheDir,
      broker: `mqtt://${backend.username}:${encodeURIComponent(backend.password)}@127.0.0.1:${mosquitto.port}`,
    });
    expect(embedded.failedChecks).toEqual([]);
    expect(own.failedChecks).toEqual([]);
    const a = runFingerprint(embedded.runDir);
    const b = runFingerprint(own.runDir);
    expect(a.packages.length).toBeGreaterThan(50);
    expect(b.packages).toEqual(a.packages);
    expect(b.published).toEqual(a.published);
    expect(rewardsInDb(own.runDir)).toEqual(rewardsInDb(embedded.runDir));
    expect(own.report.broker.mode).toBe('external');
    expect(own.report.broker.url).toBe(`mqtt://127.0.0.1:${mosquitto.port}`);
    expect(own.report.broker.dropped).toBe(0);
    expect(own.report.broker.refusedConnects).toEqual({});
    expect(embedded.report.broker.mode).toBe('embedded');

    // Two ingest processes on mosquitto's shared subscription: the same readings and rewards again.
    const split = await runScenario(scenarioFile, {
      outDir, cacheDir: testCacheDir, ingestWorkers: 2,
      broker: `mqtt://127.0.0.1:${mosquitto.port}`, brokerCredentials: join(provisionDir, 'backend.json'),
    });
    expect(split.failedChecks).toEqual([]);
    const c = runFingerprint(split.runDir);
    expect(c.packages).toEqual(a.packages);
    expect(c.published).toEqual(a.published);
    expect(rewardsInDb(split.runDir)).toEqual(rewardsInDb(embedded.runDir));
    expect(readFileSync(join(split.runDir, 'ingest-workers.log'), 'utf8')).not.toMatch(/error|failed/i);
  }, 300_000);
});

describe("integration: what mosquitto acknowledges and drops is counted as dropped by it", () => {
  it('behavior: a device publishing on another device\'s topic is acknowledged by mosquitto, never delivered (its ACL), and counted as broker.dropped; the accounting closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-dropped-'));
    const { scenarioFile, provisionDir } = provisionInto(dir, 'dropped', {
      ...scenario, name: 'dropped', seed: 5, epochs: { lengthS: 20, count: 1 },
      fleet: [{ count: 3, motion: 'car', uploadPeriodS: 2 }, { count: 1, motion: 'car', uploadPeriodS: 2, adversary: { name: 'wrong-topic', probability: 0.5 } }],
    });
    const broker = await startMosquitto({ dir, passwordFile: join(provisionDir, 'mosquitto.passwd'), aclFile: join(provisionDir, 'mosquitto.acl') });
    try {
      const result = await runScenario(scenarioFile, {
        outDir: join(dir, 'runs'), cacheDir: testCacheDir, broker: `mqtt://127.0.0.1:${broker.port}`, brokerCredentials: join(provisionDir, 'backend.json'),
      });
      expect(result.failedChecks).toEqual([]);
      const { dropped } = result.report.broker;
      expect(dropped).toBeGreaterThan(0);
      const accounting = result.report.checks.find((c) => c.name === 'every publish accounted for')!;
      expect(accounting.detail).toContain(`${dropped} dropped by the broker at mqtt://127.0.0.1:${broker.port} (acknowledged to the device, never delivered to the backend: devices `);
      // run.db: acknowledged to the devices (published) but neither accepted nor rejected.
      const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
      try {
        const missing = db.prepare(`SELECT count(*) AS n FROM published p WHERE NOT EXISTS (SELECT 1 FROM readings r WHERE r.digest = p.digest) AND NOT EXISTS (SELECT 1 FROM rejections j WHERE j.digest = p.digest)`).get();
        expect(missing).toEqual({ n: dropped });
        expect(db.prepare("SELECT count(*) AS n FROM rejections WHERE reason = 'acl.publish'").get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
    } finally {
      await broker.stop();
    }
  }, 180_000);
});

describe("integration: the fleet alone against Debian's mosquitto and a team's backend (--backend none)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-fleet-only-'));
  const { scenarioFile, provisionDir, backend } = provisionInto(dir, 'own-broker', scenario);
  let mosquitto: RunningMosquitto;
  let left: { username: string };
  let teamBackend: mqtt.MqttClient;

  beforeAll(async () => {
    // One device's password left out of the file; the team's backend answers on ack/<id>, which its login may write and read.
    const lines = readFileSync(join(provisionDir, 'mosquitto.passwd'), 'utf8').trim().split('\n');
    const [leftOut] = lines.splice(3, 1);
    left = { username: leftOut!.split(':')[0]! };
    writeFileSync(join(provisionDir, 'mosquitto.passwd'), lines.join('\n') + '\n', { mode: 0o600 });
    writeFileSync(join(provisionDir, 'mosquitto.acl'), readFileSync(join(provisionDir, 'mosquitto.acl'), 'utf8') + `\nuser ${backend.username}\ntopic readwrite ack/#\n`);
    mosquitto = await startMosquitto({ dir, passwordFile: join(provisionDir, 'mosquitto.passwd'), aclFile: join(provisionDir, 'mosquitto.acl') });
    // The team's backend under test: acknowledges each reading on ack/<device id>.
    teamBackend = await mqtt.connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, { clientId: 'team-backend', username: backend.username, password: backend.password, protocolVersion: 4, reconnectPeriod: 0 });
    teamBackend.on('message', (topic) => void teamBackend.publish(`ack/${topic.split('/')[1]}`, '{"ok":true}', { qos: 1 }));
    await teamBackend.subscribeAsync('device/+/data', { qos: 1 });
  });

  afterAll(async () => {
    await teamBackend?.endAsync();
    await mosquitto?.stop();
  });

  it('behavior: publish → PUBACK and reading → answer latency are measured without a chain; a device left out of the password file is refused and counted; an observe filter that never matches fails its check; the metrics are served mid-run', async () => {
    const scrapes: number[] = [];
    const ackCounts: number[] = [];
    let running = true;
    const result = await runFleetOnly(scenarioFile, {
      outDir: join(dir, 'runs'),
      broker: `mqtt://127.0.0.1:${mosquitto.port}`,
      brokerCredentials: join(provisionDir, 'backend.json'),
      observe: ['ack/+', 'nothing/+'],
      metrics: '127.0.0.1:0',
      onMetricsReady: (url) => {
        const poll = async () => {
          while (running) {
            const text = await (await fetch(url)).text().catch(() => '');
            const exposition = parseExposition(text);
            if (running && exposition.has('pinbench_published_total')) scrapes.push(exposition.value('pinbench_published_total'));
            if (running && exposition.has('pinbench_publish_ack_latency_seconds_count')) ackCounts.push(exposition.value('pinbench_publish_ack_latency_seconds_count'));
            await new Promise((r) => setTimeout(r, 100));
          }
        };
        void poll();
      },
    }).finally(() => {
      running = false;
    });
    const { report } = result;
    expect(report.mode).toBe('fleet-only');
    expect(result.failedChecks).toEqual([
      `answers observed: --observe 'nothing/+' matched no message in the run: check that your backend publishes there and that the login the run used (${backend.username}) may read it`,
    ]);
    expect(report.counts.published).toBeGreaterThan(50);
    expect(report.ackLatencyMs.samples).toBe(report.counts.published);
    expect(report.ackLatencyMs.p50).toBeGreaterThan(0);
    expect(report.broker.refusedConnects['connack.not-authorized']).toBeGreaterThan(0);
    expect(Object.keys(report.broker.refusedConnects)).toEqual(['connack.not-authorized']);
    expect(report.observed!.filters).toEqual([{ filter: 'ack/+', messages: report.observed!.responses }, { filter: 'nothing/+', messages: 0 }]);
    expect(report.observed!.matched).toBeGreaterThan(50);
    expect(report.observed!.latencyMs.p50).toBeGreaterThan(0);
    expect(scrapes.some((n) => n > 0 && n < report.counts.published)).toBe(true);
    expect(ackCounts.some((n) => n > 0)).toBe(true);
    // run.db: what the broker acknowledged, per device; none from the refused one; no ingest, no chain.
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    try {
      const perDevice = db.prepare('SELECT d.device_id AS id, count(p.digest) AS n FROM devices d LEFT JOIN published p USING (device_index) GROUP BY d.device_id').all() as Array<{ id: string; n: number }>;
      expect(perDevice).toHaveLength(9);
      expect(perDevice.reduce((a, r) => a + r.n, 0)).toBe(report.counts.published);
      expect(perDevice.find((r) => r.id === left.username)!.n).toBe(0);
      expect(perDevice.filter((r) => r.n > 0)).toHaveLength(8);
      expect(db.prepare('SELECT count(*) AS n FROM readings').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM proof_jobs').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    expect(readFileSync(join(result.runDir, 'report.md'), 'utf8')).toContain("Fleet only: pinbench's ingest, proofs and chain did not run");
  }, 120_000);
});
