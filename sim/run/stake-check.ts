import type { ReportCheck } from '../../reports/types.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import type { ChainSetup } from '../../backend/chain/chain-client.ts';
import { stakeBook } from '../../backend/epochs/stake-book.ts';
import { describeWei, type StakePolicy } from '../../core/reward-policy/index.ts';
import { inParallel } from './in-parallel.ts';

const STAKE_READS_AT_ONCE = 32;

/**
 * Each registered device's stake read from the settlement contract equals the policy's slashes
 * over run.db's settled device-epochs (stake-book.ts), and so does the contract's total slashed.
 */
export async function stakeCheck(store: RunStore, chain: Pick<ChainSetup, 'stakeOf' | 'totalSlashedWei'>, stake: StakePolicy): Promise<ReportCheck> {
  const book = stakeBook(store, stake);
  const expected = [...book.stakeLeftWei];
  const found: Array<string | undefined> = new Array(expected.length);
  await inParallel(expected, STAKE_READS_AT_ONCE, async ([index, want], i) => {
    const got = await chain.stakeOf(index);
    if (got !== want) found[i] = `device ${index}: chain stake ${got}, policy ${want}`;
  });
  const mismatches = found.filter((line): line is string => line !== undefined);
  const slashed = await chain.totalSlashedWei();
  if (slashed !== book.slashedWei) mismatches.push(`slashed in total: chain ${slashed}, policy ${book.slashedWei}`);
  return {
    name: 'chain stakes equal the policy',
    ok: mismatches.length === 0,
    detail: mismatches.length === 0
      ? `${book.devices} devices' stakes read from the settlement contract match the policy over run.db: ${book.flaggedDeviceEpochs} flagged device-epochs slashed ${describeWei(book.slashedWei)}`
      : mismatches.slice(0, 5).join('; '),
  };
}
