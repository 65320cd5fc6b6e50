/**
 * Inequality of a reward distribution: the Lorenz curve and the Gini coefficient. Amounts are
 * wei as bigints: a sum of wei overflows a JS number long before it overflows anything here, so
 * the sums are exact and only the final ratios become numbers.
 */

/** Parts per 10^12: ratios of bigints are scaled by this before they become numbers. */
const SCALE = 10n ** 12n;

const ratio = (numerator: bigint, denominator: bigint): number => Number((numerator * SCALE) / denominator) / Number(SCALE);

/**
 * The Gini coefficient of non-negative amounts: 0 when all are equal, (n − 1)/n when one holds
 * everything. Null when there is nothing to share (no amounts, or all zero).
 * With the amounts sorted ascending and i from 1: G = (2 Σ i·xᵢ − (n + 1) Σ xᵢ) / (n Σ xᵢ).
 */
export function gini(amounts: readonly bigint[]): number | null {
  const sorted = sortedAscending(amounts);
  const n = BigInt(sorted.length);
  let total = 0n;
  let weighted = 0n;
  sorted.forEach((x, i) => {
    total += x;
    weighted += BigInt(i + 1) * x;
  });
  if (n === 0n || total === 0n) return null;
  return ratio(2n * weighted - (n + 1n) * total, n * total);
}

/**
 * The Lorenz curve: [share of devices, share of the amount they hold] from (0, 0) to (1, 1), the
 * poorest first. At most `maxPoints` points (ends included), evenly spaced over the devices, so
 * 10,000 devices make a curve of a few hundred points. Empty when there is nothing to share.
 */
export function lorenzCurve(amounts: readonly bigint[], maxPoints = 201): Array<[number, number]> {
  const sorted = sortedAscending(amounts);
  const n = sorted.length;
  const cumulative: bigint[] = [0n];
  for (const x of sorted) cumulative.push(cumulative[cumulative.length - 1]! + x);
  const total = cumulative[n]!;
  if (n === 0 || total === 0n) return [];
  const count = Math.max(2, Math.min(maxPoints, n + 1));
  const points: Array<[number, number]> = [];
  for (let j = 0; j < count; j++) {
    const i = Math.round((j * n) / (count - 1));
    points.push([i / n, ratio(cumulative[i]!, total)]);
  }
  return points;
}

function sortedAscending(amounts: readonly bigint[]): bigint[] {
  for (const x of amounts) if (x < 0n) throw new RangeError(`a reward cannot be negative, got ${x}`);
  return [...amounts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
