import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../../sim/run/run-scenario.ts';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import { compileContracts } from '../../contracts/index.ts';
import { topicLayout } from '../../protocol/topics.ts';
import { firmwareClientId } from '../../protocol/client-ids.ts';
import { writeCredentialsFile } from '../../sim/attach/credentials-file.ts';
import { openCapture } from '../../sim/capture/capture-reader.ts';
import { parseReplayArgs, runReplayCommand, type ReplayCommand } from '../../sim/cli/replay-command.ts';
import type { ScenarioInput } from '../../scenarios/index.ts';
import { testCacheDir } from '../support/cache.ts';

const REGISTRY_ABI = ['function ownerOf(uint256) view returns (address)', 'function deviceCount() view returns (uint256)'];

/** 6 devices, two 60 s epochs, a reading every 10 s, the 4 × 8 proof shape whose circuit is cached. */
const recorded: ScenarioInput = {
  name: 'capture-it',
  seed: 11,
  fleet: [
    { count: 4, motion: 'car', uploadPeriodS: 10 },
    { count: 2, motion: 'walk', uploadPeriodS: 10, registration: 'registrar' },
  ],
  epochs: { lengthS: 60, count: 2 },
  time: { mode: 'accelerated', speed: 'max' },
  circuit: { batchSize: 4, readingsPerDevice: 8 },
};

/** Per device id, from run.db and from the chain itself: what the rule paid, what accrued on chain, who owns it, the owner's balance. */
interface DevicePay {
  rewardWei: bigint;
  accruedUnits: bigint;
  owner: string;
  ownerBalance: bigint;
}

async function payByDevice(runDir: string, provider: JsonRpcProvider): Promise<Map<string, DevicePay>> {
  const db = new Database(join(runDir, 'run.db'), { readonly: true });
  const { addresses } = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'chain'").get() as { value: string }).value) as {
    addresses: { settlement: string; token: string; registry: string };
  };
  const devices = db.prepare('SELECT device_index AS i, device_id AS id FROM devices').all() as Array<{ i: number; id: string }>;
  const rewards = db.prepare('SELECT device_index AS i, reward_wei AS w FROM rewards').all() as Array<{ i: number; w: string }>;
  db.close();
  const compiled = await compileContracts({ cacheDir: testCacheDir, logger: silentLogger });
  const settlement = new Contract(addresses.settlement, compiled.settlement.abi, provider);
  const token = new Contract(addresses.token, compiled.token.abi, provider);
  const registry = new Contract(addresses.registry, REGISTRY_ABI, provider);
  const claims = await settlement.queryFilter(settlement.filters.Claimed!(), 0, 'latest');
  const beforeClaims = Math.min(...claims.map((l) => l.blockNumber)) - 1;
  const out = new Map<string, DevicePay>();
  for (const { i, id } of devices) {
    const owner = (await registry.getFunction('ownerOf')(i)) as string;
    out.set(id, {
      rewardWei: rewards.filter((r) => r.i === i).reduce((a, r) => a + BigInt(r.w), 0n),
      accruedUnits: (await settlement.getFunction('accruedUnits')(i, { blockTag: beforeClaims })) as bigint,
      owner,
      ownerBalance: (await token.getFunction('balanceOf')(owner)) as bigint,
    });
  }
  return out;
}

function rejectionsByReason(runDir: string): Record<string, number> {
  const db = new Database(join(runDir, 'run.db'), { readonly: true });
  const rows = db.prepare('SELECT reason, count(*) AS n FROM rejections GROUP BY reason').all() as Array<{ reason: string; n: number }>;
  db.close();
  return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
}

describe('integration: record a run, replay its capture into a fresh run and into the run that recorded it', () => {
  let anvil: AnvilNode;
  let provider: JsonRpcProvider;
  let original: RunResult;
  let capturePath: string;
  let liveRun: RunResult | undefined;

  beforeAll(async () => {
    anvil = await startAnvil({ logger: silentLogger });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    original = await runScenario(recorded, { rpcUrl: anvil.rpcUrl, outDir: mkdtempSync(join(tmpdir(), 'pinbench-rec-')), cacheDir: testCacheDir, record: true });
    capturePath = join(original.runDir, 'capture.db');
  }, 300_000);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('behavior: the recording run passes and its capture holds every publish it received, complete', () => {
    expect(original.failedChecks).toEqual([]);
    const capture = openCapture(capturePath);
    try {
      expect(capture.meta.complete).toBe(true);
      expect(capture.devices.map((d) => d.deviceId).sort()).toEqual(original.report.rewards.perDevice.map((d) => d.deviceId).sort());
      const data = capture.publishes(0, 100_000).filter((p) => p.topic.endsWith('/data'));
      // Every reading the ingest judged went through the broker, and so into the capture.
      expect(original.report.counts.received).toBe(original.report.counts.accepted);
      expect(data).toHaveLength(original.report.counts.accepted);
      expect(capture.publishCount).toBeGreaterThan(data.length);
    } finally {
      capture.close();
    }
  });

  it("behavior: replayed into a fresh run (same keys and owners), every reading is accepted and every device is paid, on chain and in run.db, exactly as in the original", async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-replay-'));
    const lines: string[] = [];
    const cmd = parseReplayArgs([capturePath, '--speed', 'max', '--out', outDir, '--cache', testCacheDir, '--rpc', anvil.rpcUrl]) as ReplayCommand;
    const code = await runReplayCommand(cmd, { logger: silentLogger, stdout: (line) => void lines.push(line) });
    expect(lines[0]).toMatch(/^PASS replay-capture-it: fleet \d+ published: \d+ accepted, 0 rejected; outside the fleet 0 received; \d+ proofs settled; 6 devices paid [0-9.]+ PINR$/);
    expect(code).toBe(0);
    const [folder] = readdirSync(outDir);
    const replayDir = join(outDir, folder!);
    const db = new Database(join(replayDir, 'run.db'), { readonly: true });
    const { accepted } = db.prepare('SELECT count(*) AS accepted FROM readings').get() as { accepted: number };
    const { published } = db.prepare('SELECT count(*) AS published FROM published').get() as { published: number };
    db.close();
    expect(accepted).toBe(original.report.counts.accepted);
    expect(published).toBe(accepted);
    expect(rejectionsByReason(replayDir)).toEqual({});

    const before = await payByDevice(original.runDir, provider);
    const after = await payByDevice(replayDir, provider);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [id, pay] of before) {
      expect(pay.rewardWei, id).toBeGreaterThan(0n);
      expect(after.get(id), id).toEqual(pay);
    }
  }, 180_000);

  it('behavior: played into the live run that recorded them, every reading is refused as replay, and that run still passes', async () => {
    const live: ScenarioInput = { ...recorded, name: 'capture-live', fleet: [{ count: 3, motion: 'car', uploadPeriodS: 2 }], epochs: { lengthS: 10, count: 2 }, time: { mode: 'realtime' } };
    const credentialsDir = mkdtempSync(join(tmpdir(), 'pinbench-creds-'));
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-live-'));
    let played: Promise<{ code: number; lines: string[] }> | undefined;
    const run = await runScenario(live, {
      rpcUrl: anvil.rpcUrl,
      outDir,
      cacheDir: testCacheDir,
      record: true,
      onBrokerReady: ({ url, credentials }) => {
        const topics = topicLayout();
        for (const [id, password] of credentials) {
          // As the firmware's client id: a second session of the device, not a take-over of the tracker's.
          writeCredentialsFile(credentialsDir, id, { url, clientId: firmwareClientId(id), username: id, password, topics: Object.fromEntries(['data', 'confirm', 'query', 'status', 'config'].map((k) => [k, topics.topic(k as 'data', id)])) as never }, {});
        }
        played = (async () => {
          // Half-way through the first epoch the capture (still being written) holds readings of every device.
          await new Promise((resolve) => setTimeout(resolve, 7000));
          const lines: string[] = [];
          const path = join(outDir, readdirSync(outDir)[0]!, 'capture.db');
          const code = await runReplayCommand(parseReplayArgs([path, '--credentials', credentialsDir, '--to', url]) as ReplayCommand, { logger: silentLogger, stdout: (line) => void lines.push(line) });
          return { code, lines };
        })();
      },
    });
    const { code, lines } = await played!;
    expect(code).toBe(0);
    const acknowledged = Number(/: (\d+) readings of 3 devices acknowledged/.exec(lines[0]!)?.[1]);
    expect(acknowledged).toBeGreaterThan(3);
    expect(rejectionsByReason(run.runDir)).toEqual({ replay: acknowledged });
    expect(run.failedChecks).toEqual([]);
    liveRun = run;
  }, 180_000);

  it('behavior: a realtime capture replayed at --speed 1 (the clock from the capture\'s start) is judged and paid as the original, its replays refused again', async () => {
    expect(liveRun).toBeDefined();
    const outDir = mkdtempSync(join(tmpdir(), 'pinbench-replay-rt-'));
    const lines: string[] = [];
    const cmd = parseReplayArgs([join(liveRun!.runDir, 'capture.db'), '--speed', '1', '--out', outDir, '--cache', testCacheDir, '--rpc', anvil.rpcUrl]) as ReplayCommand;
    const code = await runReplayCommand(cmd, { logger: silentLogger, stdout: (line) => void lines.push(line) });
    expect(lines[0]).toMatch(/^PASS replay-capture-live: /);
    expect(code).toBe(0);
    const replayDir = join(outDir, readdirSync(outDir)[0]!);
    expect(rejectionsByReason(replayDir)).toEqual(rejectionsByReason(liveRun!.runDir));
    const before = await payByDevice(liveRun!.runDir, provider);
    const after = await payByDevice(replayDir, provider);
    expect(after).toEqual(before);
  }, 180_000);
});
