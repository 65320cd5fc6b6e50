import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../../sim/index.ts';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { silentLogger } from '../../core/ports.ts';
import { ADVERSARY_NAMES } from '../../devices/index.ts';
import { testCacheDir } from '../support/cache.ts';

const ERC20_ABI = ['function balanceOf(address) view returns (uint256)'];

interface DeviceRow {
  deviceIndex: number;
  owner: string;
  motion: string;
  profile: string;
  adversary: string | null;
}

describe('integration: honest, faulty and adversarial trackers in one fleet', () => {
  let anvil: AnvilNode;
  let provider: JsonRpcProvider;
  let result: RunResult;
  let devices: DeviceRow[];
  let balances: Map<number, bigint>;

  beforeAll(async () => {
    anvil = await startAnvil({ logger: silentLogger });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    result = await runScenario('scenarios/adversaries.yaml', {
      rpcUrl: anvil.rpcUrl,
      outDir: mkdtempSync(join(tmpdir(), 'pinbench-adv-')),
      cacheDir: testCacheDir,
    });
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    devices = db
      .prepare(
        `SELECT d.device_index AS deviceIndex, d.owner AS owner, d.motion AS motion, p.profile AS profile, p.adversary AS adversary
         FROM devices d JOIN device_profiles p USING (device_index) ORDER BY d.device_index`,
      )
      .all() as DeviceRow[];
    db.close();
    const token = new Contract(result.report.chain.contracts.token, ERC20_ABI, provider);
    balances = new Map();
    for (const d of devices) balances.set(d.deviceIndex, (await token.getFunction('balanceOf')(d.owner)) as bigint);
  }, 600_000);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('behavior: the run passes its checks with every adversary profile present', () => {
    expect(result.failedChecks).toEqual([]);
    expect(new Set(devices.map((d) => d.adversary).filter((a) => a !== null))).toEqual(new Set(ADVERSARY_NAMES));
  });

  it('behavior: every adversary earns less on chain than the poorest honest device of its motion', () => {
    for (const cheat of devices.filter((d) => d.adversary !== null)) {
      const honest = devices.filter((d) => d.adversary === null && d.motion === cheat.motion).map((d) => balances.get(d.deviceIndex)!);
      expect(honest.length, cheat.profile).toBeGreaterThan(0);
      const poorestHonest = honest.reduce((a, b) => (b < a ? b : a));
      expect(balances.get(cheat.deviceIndex)!, `${cheat.profile} (device ${cheat.deviceIndex})`).toBeLessThan(poorestHonest);
    }
  });

  it('behavior: no honest device is flagged, faulty ones included', () => {
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const falsePositives = db
      .prepare('SELECT f.device_index, f.flag FROM flags f JOIN device_profiles p USING (device_index) WHERE p.adversary IS NULL')
      .all();
    const flaggedCheats = db
      .prepare('SELECT DISTINCT p.adversary FROM flags f JOIN device_profiles p USING (device_index) WHERE p.adversary IS NOT NULL')
      .all() as Array<{ adversary: string }>;
    db.close();
    expect(falsePositives).toEqual([]);
    expect(new Set(flaggedCheats.map((r) => r.adversary))).toEqual(new Set(ADVERSARY_NAMES));
    for (const p of result.report.profiles.filter((row) => row.adversary === null)) expect(p.flaggedDevices, p.profile).toBe(0);
  });

  it('behavior: a flagged device-epoch with readings is proven with every reading flagged, in a batch settled on chain', async () => {
    const db = new Database(join(result.runDir, 'run.db'), { readonly: true });
    const flagged = db.prepare('SELECT DISTINCT epoch, device_index AS deviceIndex FROM flags').all() as Array<{ epoch: number; deviceIndex: number }>;
    const jobs = db.prepare('SELECT epoch, batch, input FROM proof_jobs').all() as Array<{ epoch: number; batch: number; input: string }>;
    db.close();
    const settlement = new Contract(result.report.chain.contracts.settlement, ['function isSettled(uint256,uint256) view returns (bool)'], provider);
    const B = result.report.circuit.batchSize;
    let proven = 0;
    for (const { epoch, deviceIndex } of flagged) {
      const batch = Math.floor((deviceIndex - 1) / B);
      const job = jobs.find((j) => j.epoch === epoch && j.batch === batch);
      if (job === undefined) continue; // its batch earned nothing at all: not proven
      const input = JSON.parse(job.input) as { ts: string[][]; flag: string[][] };
      const slot = (deviceIndex - 1) % B;
      const present = input.ts[slot]!.map((t, i) => (t === '0' ? null : input.flag[slot]![i]));
      if (present.every((f) => f === null)) continue; // flagged for rejections only, no accepted reading
      expect(present.filter((f) => f !== null), `device ${deviceIndex} epoch ${epoch}`).toEqual(present.filter((f) => f !== null).map(() => '1'));
      expect(await settlement.getFunction('isSettled')(epoch, batch)).toBe(true);
      proven += 1;
    }
    expect(proven).toBeGreaterThan(0);
  });

  it('behavior: per-message cheats are rejected with their reason', () => {
    expect(result.report.counts.rejected).toMatchObject({
      signature: expect.any(Number),
      replay: expect.any(Number),
      'acl.publish': expect.any(Number),
    });
  });
});
