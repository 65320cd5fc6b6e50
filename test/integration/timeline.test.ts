import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult, type ScenarioInput } from '../../sim/index.ts';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import type { RuleParams } from '../../core/reward-rule.ts';
import { compileContracts } from '../../contracts/index.ts';
import { parseScenario } from '../../scenarios/index.ts';
import { planFleet } from '../../sim/fleet/fleet-plan.ts';
import { planTimeline } from '../../sim/timeline/plan-timeline.ts';
import { testCacheDir } from '../support/cache.ts';
import { runFingerprint } from '../support/fingerprint.ts';
import { ruleOverRunDb } from '../support/rule-over-run-db.ts';

/**
 * Every timeline event in one small accelerated run (6 devices, two 40 s epochs, the cached 4 × 8
 * circuit), checked from run.db and the chain, not from the report's copy; then the same run with
 * its fleet in a fleet process, which must accept the same signed readings.
 */
const START = '2026-01-01T00:00:00Z';
const START_S = Date.parse(START) / 1000;
const scenario: ScenarioInput = {
  name: 'timeline-all-events',
  seed: 7,
  fleet: [{ count: 6, motion: 'car', uploadPeriodS: 5 }],
  epochs: { lengthS: 40, count: 2 },
  time: { mode: 'accelerated', startAt: START },
  circuit: { batchSize: 4, readingsPerDevice: 8 },
  timeline: [
    { at: '8s', event: 'devices.reconnectStorm' },
    { at: 12, event: 'network.partition', devices: '34%', for: '10s' },
    { at: 22, event: 'devices.powerOff', devices: '34%' },
    { at: 36, event: 'devices.powerOn' },
    { at: 50, event: 'broker.restart', downFor: '5s' },
  ],
};

/** Who the timeline picks, as the run plans it from the seed (the choice itself is unit-tested). */
function chosen() {
  const parsed = parseScenario(scenario, 'timeline');
  const ids = planFleet(parsed, { scenarioDir: '.', startMs: Date.parse(START) }).devices.map((d) => d.spec.id);
  const plan = planTimeline({ timeline: parsed.timeline, startMs: Date.parse(START), deviceIds: ids, seed: parsed.seed, source: 'timeline' });
  return { all: ids, partitioned: plan.events[1]!.deviceIds, poweredOff: plan.events[2]!.deviceIds };
}

type Row = { id: number; device: string; index: number; epoch: number; t: number; latE7: number; lonE7: number };
function readings(runDir: string): Row[] {
  const db = new Database(join(runDir, 'run.db'), { readonly: true });
  const rows = db
    .prepare(
      'SELECT r.id, d.device_id AS device, r.device_index AS "index", r.epoch, r.timestamp_s - ? AS t, r.lat_e7 AS latE7, r.lon_e7 AS lonE7 FROM readings r JOIN devices d USING (device_index) ORDER BY r.id',
    )
    .all(START_S) as Row[];
  db.close();
  return rows;
}

describe('integration: a timeline of every event, on a real broker, circuit and anvil', () => {
  let anvil: AnvilNode;
  let provider: JsonRpcProvider;
  let inline: RunResult;
  let child: RunResult;
  const who = chosen();

  beforeAll(async () => {
    // The test owns the chain, so it can read accruals at the block before the claims.
    anvil = await startAnvil({ logger: silentLogger });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-timeline-'));
    inline = await runScenario(scenario, { rpcUrl: anvil.rpcUrl, outDir, cacheDir: testCacheDir, fleetProcess: 'inline' });
    child = await runScenario(scenario, { outDir, cacheDir: testCacheDir, fleetProcess: 'child' });
  }, 300_000);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('behavior: the run passes every built-in check across the events, every publish accounted for among them', () => {
    expect(inline.failedChecks).toEqual([]);
    expect(inline.report.checks.find((c) => c.name === 'every publish accounted for')?.ok).toBe(true);
    expect(inline.report.counts.unaccounted).toBe(0);
    expect(who.partitioned).toHaveLength(2);
    expect(who.poweredOff).toHaveLength(2);
  });

  it('behavior: each event is in report.events with what it did, and in report.md\'s Timeline section', () => {
    expect(inline.report.events).toEqual([
      { event: 'devices.reconnectStorm', atS: 8, durationS: 0, devices: 6, detail: '6 of 6 devices were connected and dropped their connection', ok: true },
      { event: 'network.partition', atS: 12, durationS: 10, devices: 2, detail: '2 devices without network for 10 s (2 lost a connection)', ok: true },
      { event: 'devices.powerOff', atS: 22, durationS: 0, devices: 2, detail: '2 of 2 devices switched off', ok: true },
      { event: 'devices.powerOn', atS: 36, durationS: 0, devices: 2, detail: '2 of 2 powered-off devices booted again', ok: true },
      { event: 'broker.restart', atS: 50, durationS: 5, devices: 0, detail: 'broker down 5 s; 6 devices lost their connection', ok: true },
    ]);
    const md = readFileSync(join(inline.runDir, 'report.md'), 'utf8');
    expect(md).toContain('## Timeline');
    expect(md).toContain('| 50 s | `broker.restart` | 5 s | — | broker down 5 s; 6 devices lost their connection |');
  });

  it('behavior: a powered-off device has no reading stamped while it was off, and readings before and after', () => {
    const rows = readings(inline.runDir);
    for (const device of who.poweredOff) {
      const ts = rows.filter((r) => r.device === device).map((r) => r.t);
      expect(ts.filter((t) => t >= 22 && t < 36), device).toEqual([]);
      expect(ts.some((t) => t < 22), device).toBe(true);
      expect(ts.some((t) => t > 36), device).toBe(true);
    }
    // Devices left on kept their upload grid through the power-off window.
    for (const device of who.all.filter((d) => !who.poweredOff.includes(d))) {
      expect(rows.filter((r) => r.device === device && r.t >= 22 && r.t < 36).length, device).toBeGreaterThanOrEqual(2);
    }
  });

  it('behavior: a partitioned device\'s readings stamped inside the partition are in run.db, uploaded after it healed', () => {
    const rows = readings(inline.runDir);
    // The first reading stamped after the heal was accepted after it: anything stored later arrived after the heal too.
    const firstAfterHeal = Math.min(...rows.filter((r) => r.t >= 22).map((r) => r.id));
    for (const device of who.partitioned) {
      const inside = rows.filter((r) => r.device === device && r.t >= 12 && r.t < 22);
      expect(inside.length, device).toBe(2);
      for (const r of inside) expect(r.id, `${device} at ${r.t} s`).toBeGreaterThan(firstAfterHeal);
    }
    // Devices not cut off uploaded theirs live, before the heal.
    for (const device of who.all.filter((d) => !who.partitioned.includes(d) && !who.poweredOff.includes(d))) {
      for (const r of rows.filter((x) => x.device === device && x.t >= 13 && x.t < 20)) expect(r.id, `${device} at ${r.t} s`).toBeLessThan(firstAfterHeal);
    }
  });

  it('behavior: through the broker restart no reading is lost: every device has its readings stamped while the broker was down, uploaded once it was back', () => {
    const rows = readings(inline.runDir);
    const lastBefore = Math.max(...rows.filter((r) => r.t < 50).map((r) => r.id));
    for (const device of who.all) {
      const down = rows.filter((r) => r.device === device && r.t >= 50 && r.t <= 55);
      expect(down.length, device).toBeGreaterThanOrEqual(1);
      for (const r of down) expect(r.id).toBeGreaterThan(lastBefore);
      // The device's upload grid has no gap around the restart: one reading every 5 s.
      const ts = rows.filter((r) => r.device === device && r.t >= 40 && r.t < 70).map((r) => r.t).sort((a, b) => a - b);
      for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!, `${device} after ${ts[i - 1]} s`).toBe(5);
    }
  });

  it("behavior: the chain's accruals before the claims equal the rule over run.db, and each owner's balance is its devices' units × rewardPerUnitWei", async () => {
    const parsed = parseScenario(scenario, 'timeline');
    const params: RuleParams = { unitsPerSample: BigInt(parsed.reward.unitsPerSample), maxStepE7: BigInt(parsed.reward.maxStepE7), rewardPerUnitWei: parsed.reward.rewardPerUnitWei };
    const units = ruleOverRunDb(inline.runDir, params, parsed.circuit.readingsPerDevice, parsed.epochs.count, parsed.circuit.batchSize).unitsByDevice;
    expect(units.size).toBe(6);
    const compiled = await compileContracts({ cacheDir: testCacheDir, logger: silentLogger });
    const { contracts } = inline.report.chain;
    const settlement = new Contract(contracts.settlement, compiled.settlement.abi, provider);
    const token = new Contract(contracts.token, compiled.token.abi, provider);
    const registry = new Contract(contracts.registry, ['function ownerOf(uint256) view returns (address)'], provider);
    const claims = await settlement.queryFilter(settlement.filters.Claimed!(), 0, 'latest');
    const blockTag = Math.min(...claims.map((l) => l.blockNumber)) - 1;
    for (const [device, want] of units) {
      expect(await settlement.getFunction('accruedUnits')(device, { blockTag }), `device ${device}`).toBe(want);
      const owner = (await registry.getFunction('ownerOf')(device)) as string;
      expect(await token.getFunction('balanceOf')(owner), owner).toBe(want * params.rewardPerUnitWei);
    }
  });

  it('behavior: with the fleet in a fleet process the events reach it at the same simulated times: the same signed readings and rewards', () => {
    expect(child.failedChecks).toEqual([]);
    expect(child.report.events).toEqual(inline.report.events);
    const a = runFingerprint(inline.runDir);
    const b = runFingerprint(child.runDir);
    expect(b.packages).toEqual(a.packages);
    expect(b.rewards).toEqual(a.rewards);
  });
});
