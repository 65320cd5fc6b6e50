import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runScenario } from '../../sim/index.ts';
import { parseProvisionArgs, provisionFleet, writeProvisionFiles } from '../../sim/cli/provision-command.ts';
import { testCacheDir } from '../support/cache.ts';
import { runFingerprint } from '../support/fingerprint.ts';
import { startMosquitto, type RunningMosquitto } from '../support/mosquitto.ts';

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

describe("integration: the fleet and pinbench's backend on Debian's mosquitto", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-own-broker-'));
  const scenarioFile = join(dir, 'own-broker.yaml');
  const provisionDir = join(dir, 'provision');
  let mosquitto: RunningMosquitto;
  let backend: { username: string; password: string };

  beforeAll(async () => {
    writeFileSync(scenarioFile, stringify(scenario));
    const command = parseProvisionArgs([scenarioFile, '--format', 'mosquitto', '--out', provisionDir]);
    if ('help' in command) throw new Error('unexpected help');
    writeProvisionFiles(command, provisionFleet(command));
    backend = JSON.parse(readFileSync(join(provisionDir, 'backend.json'), 'utf8'));
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
  }, 300_000);
});
