import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Contract, JsonRpcProvider } from 'ethers';
import { silentLogger } from '../../core/ports.ts';
import type { RuleParams } from '../../core/reward-rule.ts';
import { compileContracts } from '../../contracts/index.ts';
import type { Scenario } from '../../scenarios/index.ts';
import { startAnvil } from '../../sim/chain/anvil.ts';
import { chainStatePath } from '../../sim/paths.ts';
import { testCacheDir } from './cache.ts';
import { ruleOverRunDb } from './rule-over-run-db.ts';

/** What the chain a run left behind says, against its run.db: every list empty when they agree. */
export interface ChainAudit {
  /** Proof jobs of run.db, `epoch/batch`. */
  jobs: string[];
  /** Devices the rule over run.db gives units to. */
  devices: number;
  /** Jobs not settled in run.db, or not on the chain. */
  unsettled: string[];
  /** BatchSettled events per epoch/batch other than exactly one per job. */
  settledEvents: string[];
  /** Devices with units still accrued (everything should be claimed). */
  accrued: string[];
  /** Owners whose token balance is not their devices' units by the rule over run.db × rewardPerUnitWei. */
  balances: string[];
  /** Owners whose token balance is not what run.db's rewards table (the pipeline's own record) gives them. */
  recorded: string[];
}

/**
 * Starts the embedded chain again from the run folder's state (as `pinbench resume` does) and
 * reads it: isSettled and BatchSettled for every proof job, accruals, and every owner's balance
 * against the reward rule applied to run.db independently of the run (rule-over-run-db.ts).
 */
export async function auditRunChain(runDir: string, scenario: Scenario): Promise<ChainAudit> {
  const db = new Database(join(runDir, 'run.db'), { readonly: true });
  const jobs = db.prepare('SELECT epoch, batch, status FROM proof_jobs ORDER BY epoch, batch').all() as Array<{ epoch: number; batch: number; status: string }>;
  const { addresses } = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'chain'").get() as { value: string }).value) as { addresses: { settlement: string; token: string; registry: string } };
  const rewards = db.prepare('SELECT d.owner AS owner, r.reward_wei AS wei FROM rewards r JOIN devices d USING (device_index)').all() as Array<{ owner: string; wei: string }>;
  db.close();
  const anvil = await startAnvil({ logger: silentLogger, statePath: chainStatePath(runDir) });
  const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const compiled = await compileContracts({ cacheDir: testCacheDir, logger: silentLogger });
    const settlement = new Contract(addresses.settlement, compiled.settlement.abi, provider);
    const token = new Contract(addresses.token, compiled.token.abi, provider);
    const registry = new Contract(addresses.registry, ['function ownerOf(uint256) view returns (address)'], provider);
    const audit: ChainAudit = { jobs: jobs.map((j) => `${j.epoch}/${j.batch}`), devices: 0, unsettled: [], settledEvents: [], accrued: [], balances: [], recorded: [] };
    for (const job of jobs) {
      if (job.status !== 'settled' || !(await settlement.getFunction('isSettled')(job.epoch, job.batch))) audit.unsettled.push(`${job.epoch}/${job.batch} (${job.status})`);
    }
    const events = new Map<string, number>();
    for (const log of await settlement.queryFilter(settlement.filters.BatchSettled!(), 0, 'latest')) {
      if (!('args' in log)) continue;
      const key = `${log.args[0]}/${log.args[1]}`;
      events.set(key, (events.get(key) ?? 0) + 1);
    }
    for (const key of new Set([...audit.jobs, ...events.keys()])) {
      if (events.get(key) !== 1 || !audit.jobs.includes(key)) audit.settledEvents.push(`${key}: ${events.get(key) ?? 0} events`);
    }
    const params: RuleParams = { unitsPerSample: BigInt(scenario.reward.unitsPerSample), maxStepE7: BigInt(scenario.reward.maxStepE7), rewardPerUnitWei: scenario.reward.rewardPerUnitWei };
    const { unitsByDevice } = ruleOverRunDb(runDir, params, scenario.circuit.readingsPerDevice, scenario.epochs.count, scenario.circuit.batchSize);
    audit.devices = unitsByDevice.size;
    const byOwner = new Map<string, bigint>();
    for (const [device, units] of unitsByDevice) {
      const left = (await settlement.getFunction('accruedUnits')(device)) as bigint;
      if (left !== 0n) audit.accrued.push(`device ${device}: ${left}`);
      const owner = (await registry.getFunction('ownerOf')(device)) as string;
      byOwner.set(owner, (byOwner.get(owner) ?? 0n) + units * params.rewardPerUnitWei);
    }
    for (const [owner, want] of byOwner) {
      const got = (await token.getFunction('balanceOf')(owner)) as bigint;
      if (got !== want) audit.balances.push(`${owner}: chain ${got}, rule ${want}`);
    }
    const recorded = new Map<string, bigint>();
    for (const row of rewards) recorded.set(row.owner, (recorded.get(row.owner) ?? 0n) + BigInt(row.wei));
    for (const [owner, want] of recorded) {
      const got = (await token.getFunction('balanceOf')(owner)) as bigint;
      if (got !== want) audit.recorded.push(`${owner}: chain ${got}, run.db rewards ${want}`);
    }
    return audit;
  } finally {
    provider.destroy();
    await anvil.stop();
  }
}
