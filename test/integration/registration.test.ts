import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, getBytes, JsonRpcProvider, keccak256, toUtf8Bytes } from 'ethers';
import { p256 } from '@noble/curves/nist.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult, type ScenarioInput } from '../../sim/index.ts';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import { confirmDigest } from '../../protocol/index.ts';
import { testCacheDir } from '../support/cache.ts';

const REGISTRY_ABI = [
  'event DeviceRegistered(uint256 indexed index, bytes32 indexed idHash, address owner, bytes pubKey)',
  'event DeviceConfirmed(uint256 indexed index, uint32 timestamp, bytes signature)',
  'function confirmedAtOf(uint256 index) view returns (uint64)',
  'function ownerOf(uint256 index) view returns (address)',
];

// Confirm registration (the default) for most of the fleet, the operator's registrar for one
// group; the fleet in its own process in accelerated time, where the exchange must be tracked
// across both processes for the clock not to run ahead of it.
const scenario: ScenarioInput = {
  name: 'registration',
  seed: 5,
  fleet: [
    { count: 4, motion: 'car', uploadPeriodS: 10 },
    { count: 2, motion: 'walk', uploadPeriodS: 15, registration: 'registrar' },
  ],
  epochs: { lengthS: 60, count: 1 },
  time: { mode: 'accelerated' },
  circuit: { batchSize: 4, readingsPerDevice: 8 },
};

describe('integration: registration by the owner proposal / confirm exchange', () => {
  let anvil: AnvilNode;
  let provider: JsonRpcProvider;
  let result: RunResult;
  let deviceIds: string[];

  beforeAll(async () => {
    anvil = await startAnvil({ logger: silentLogger });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    result = await runScenario(scenario, {
      rpcUrl: anvil.rpcUrl,
      outDir: mkdtempSync(join(tmpdir(), 'pinbench-reg-')),
      cacheDir: testCacheDir,
      fleetProcess: 'child',
    });
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    deviceIds = (db.prepare('SELECT device_id AS id FROM devices ORDER BY device_index').all() as Array<{ id: string }>).map((r) => r.id);
    db.close();
  }, 300_000);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('behavior: the run passes with confirm and registrar devices, nothing refused', () => {
    expect(result.failedChecks).toEqual([]);
    expect(deviceIds.length).toBe(6);
    expect(Object.keys(result.report.counts.rejected ?? {}).filter((r) => r.startsWith('confirm.'))).toEqual([]);
    // 4 devices register by the exchange, 2 through the operator.
    expect(result.report.registration).toEqual({ proposed: 4, confirmed: 4, refused: 0 });
  });

  it('behavior: on chain, every confirm device has its confirm recorded and the signature verifies against its registered key and owner', async () => {
    const registry = new Contract(result.report.chain.contracts.registry, REGISTRY_ABI, provider);
    const registered = await registry.queryFilter(registry.filters.DeviceRegistered!());
    const confirmed = await registry.queryFilter(registry.filters.DeviceConfirmed!());
    const args = (e: (typeof registered)[number]) => ('args' in e ? e.args : undefined)!;
    const byIndex = new Map(registered.map((e) => [Number(args(e).index), args(e)]));
    expect(byIndex.size).toBe(6);
    expect(confirmed.length).toBe(4);
    for (const e of confirmed) {
      const { index, timestamp, signature } = args(e);
      const device = byIndex.get(Number(index))!;
      const digest = confirmDigest(getBytes(device.owner), Number(timestamp));
      expect(p256.verify(getBytes(signature), digest, getBytes(device.pubKey)), `device ${index}`).toBe(true);
      expect(await registry.getFunction('confirmedAtOf')(index)).toBe(BigInt(timestamp));
      expect(await registry.getFunction('ownerOf')(index)).toBe(device.owner);
    }
    // The registrar group has no confirm; which ids those are follows from the chain's id hashes.
    const unconfirmed = [...byIndex.keys()].filter((i) => !confirmed.some((e) => Number(args(e).index) === i));
    expect(unconfirmed.length).toBe(2);
    for (const i of unconfirmed) expect(await registry.getFunction('confirmedAtOf')(i)).toBe(0n);
    const idHashes = new Set(registered.map((e) => args(e).idHash as string));
    expect(new Set(deviceIds.map((id) => keccak256(toUtf8Bytes(id))))).toEqual(idHashes);
  });
});
