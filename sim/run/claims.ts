import type { Logger } from '../../core/ports.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import type { ChainSetup } from '../../backend/chain/chain-client.ts';
import { inParallel } from './in-parallel.ts';

/** What the owners' claims at the end of a run did, read from the chain. */
export interface ClaimSummary {
  /** Units accrued on chain per device index before anyone claimed. */
  accruedBefore: Map<number, bigint>;
  claims: number;
  gasUsed: bigint;
  mintedWei: bigint;
  failures: string[];
  /** Owners whose keys are not the bench's (attached real devices): their rewards stay accrued for `pinbench claim`. */
  leftToOwners: Array<{ owner: string; deviceIndexes: number[] }>;
}

/** Owners claiming at once; each is its own account, so their transactions do not share nonces. */
const CONCURRENCY = 64;

/**
 * Settlement only accrues; owners claim (contracts/Settlement.sol). At the end of a run every
 * owner with rewards in run.db claims all its devices in one transaction, as a real owner would,
 * so the run ends with minted balances the checks can compare. Accruals are read first, from the
 * chain, so the checks can also compare them with the rule's units.
 */
export async function claimAllRewards(input: {
  chain: ChainSetup;
  store: RunStore;
  /** Owner address → its private key (the fleet's owner accounts). */
  ownerKeys: ReadonlyMap<string, string>;
  /** Lower-case addresses of owners who claim for themselves (attached devices' owners): skipped, not failed. */
  ownersClaimingThemselves?: ReadonlySet<string>;
  logger: Logger;
}): Promise<ClaimSummary> {
  const { chain, store, ownerKeys, logger } = input;
  const rows = store.db
    .prepare('SELECT DISTINCT r.device_index AS deviceIndex, d.owner AS owner FROM rewards r JOIN devices d USING (device_index) ORDER BY r.device_index')
    .all() as Array<{ deviceIndex: number; owner: string }>;
  const accruedBefore = new Map<number, bigint>();
  await inParallel(rows, CONCURRENCY * 4, async ({ deviceIndex }) => {
    accruedBefore.set(deviceIndex, await chain.accruedUnits(deviceIndex));
  });

  const byOwner = new Map<string, number[]>();
  for (const { deviceIndex, owner } of rows) {
    if ((accruedBefore.get(deviceIndex) ?? 0n) === 0n) continue;
    const list = byOwner.get(owner) ?? [];
    list.push(deviceIndex);
    byOwner.set(owner, list);
  }
  const summary: ClaimSummary = { accruedBefore, claims: 0, gasUsed: 0n, mintedWei: 0n, failures: [], leftToOwners: [] };
  for (const [owner, deviceIndexes] of [...byOwner]) {
    if (!input.ownersClaimingThemselves?.has(owner.toLowerCase()) || ownerKeys.has(owner.toLowerCase())) continue;
    byOwner.delete(owner);
    summary.leftToOwners.push({ owner, deviceIndexes });
  }
  if (byOwner.size > 0) logger.info(`claims: ${byOwner.size} owners claim their accrued rewards`);
  await inParallel([...byOwner], CONCURRENCY, async ([owner, indexes]) => {
    const key = ownerKeys.get(owner.toLowerCase());
    if (key === undefined) {
      summary.failures.push(`owner ${owner}: no key for this owner account, its rewards stay accrued`);
      return;
    }
    try {
      const result = await chain.claim(key, indexes);
      summary.claims += 1;
      summary.gasUsed += result.gasUsed;
      summary.mintedWei += result.amountWei;
      if (summary.claims % 1000 === 0) logger.info(`claims: ${summary.claims}/${byOwner.size} owners claimed`);
    } catch (error) {
      summary.failures.push(`owner ${owner} (devices ${indexes.join(', ')}): ${(error as Error).message}`);
    }
  });
  return summary;
}
