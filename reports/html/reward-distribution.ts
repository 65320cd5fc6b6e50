import { gini, lorenzCurve } from './lorenz.ts';

const WEI_PER_TOKEN = 10n ** 18n;
const DECIMAL = /^\d+$/;

export interface RewardDistribution {
  devices: number;
  /** Devices that earned nothing (flagged, silent, never registered). */
  unpaid: number;
  gini: number | null;
  lorenz: Array<[number, number]>;
  /** Equal-width bins from 0 to the largest reward, in PINR (tokens, 18 decimals). */
  histogram: { binWidthToken: number; counts: number[] };
}

/**
 * The per-device rewards as the page draws them, or why it cannot: reward amounts are decimal
 * wei strings, and a damaged report's entry is named instead of failing the page.
 */
export function rewardDistribution(perDevice: ReadonlyArray<{ rewardWei?: unknown }>, bins = 20): RewardDistribution | { missing: string } {
  const amounts: bigint[] = [];
  for (const [i, d] of perDevice.entries()) {
    if (typeof d.rewardWei !== 'string' || !DECIMAL.test(d.rewardWei)) {
      return { missing: `rewards.perDevice[${i}].rewardWei is not a decimal wei amount (${JSON.stringify(d.rewardWei) ?? 'absent'})` };
    }
    amounts.push(BigInt(d.rewardWei));
  }
  if (amounts.length === 0) return { missing: 'no device in rewards.perDevice' };
  return {
    devices: amounts.length,
    unpaid: amounts.filter((x) => x === 0n).length,
    gini: gini(amounts),
    lorenz: lorenzCurve(amounts),
    histogram: histogram(amounts, bins),
  };
}

/** Bin i holds [i·w, (i+1)·w), the last one its upper end too; w = largest / bins, in wei, exact. */
function histogram(amounts: readonly bigint[], bins: number): RewardDistribution['histogram'] {
  const max = amounts.reduce((a, b) => (b > a ? b : a), 0n);
  const counts = new Array<number>(bins).fill(0);
  if (max === 0n) {
    counts[0] = amounts.length;
    return { binWidthToken: 0, counts };
  }
  const n = BigInt(bins);
  for (const x of amounts) counts[Math.min(bins - 1, Number((x * n) / max))] += 1;
  return { binWidthToken: toToken(max) / bins, counts };
}

/** Wei as a number of tokens, for axes: exact to about 15 digits, which a chart cannot show anyway. */
export const toToken = (wei: bigint): number => Number(wei / WEI_PER_TOKEN) + Number(wei % WEI_PER_TOKEN) / 1e18;
